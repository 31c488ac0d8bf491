//! Seat limits (mirrors `tenant/seats.rs`).

use super::{tenant_job, Tenant};
use crate::convert::*;
use crate::strict::{keys, Count, Strict};
use crate::task::{job, Job};
use crate::types::*;
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Options of `setSeatLimit` and `seats`.
#[napi(object)]
pub struct SeatOptions {
    /// The workspace whose seats; the tenant's when absent.
    pub workspace: Option<String>,
}

keys! { SeatOptions => ["workspace"] }

fn workspace_of(
    options: Option<Strict<SeatOptions>>,
) -> memberkit::Result<Option<memberkit::WorkspaceId>> {
    opt(options.and_then(|Strict(o)| o.workspace))
}

#[napi]
impl Tenant {
    /// Caps the seats of the tenant, or of `{ workspace }`; `null` lifts the cap. Only the
    /// platform (`SYSTEM`) may.
    #[napi(ts_return_type = "Promise<Seats>")]
    pub fn set_seat_limit(
        &self,
        actor: String,
        #[napi(ts_arg_type = "number | null")] limit: Option<Count>,
        #[napi(ts_arg_type = "SeatOptions")] options: Option<Strict<SeatOptions>>,
    ) -> AsyncTask<Job<Seats>> {
        let limit = limit.map(|n| u32::try_from(n.0).unwrap_or(u32::MAX));
        tenant_job!(self, |t| t
            .set_seat_limit(self::actor(&actor)?, workspace_of(options)?, limit)
            .map(Into::into))
    }

    /// The seats of the tenant, or of `{ workspace }`: the cap and how many are taken.
    #[napi(ts_return_type = "Promise<Seats>")]
    pub fn seats(
        &self,
        #[napi(ts_arg_type = "SeatOptions")] options: Option<Strict<SeatOptions>>,
    ) -> AsyncTask<Job<Seats>> {
        tenant_job!(self, |t| t.seats(workspace_of(options)?).map(Into::into))
    }
}
