//! A store wrapper that runs every transaction body twice, the first time rolled back: what a
//! networked store does when it retries a serialization failure. Running the suite through it
//! proves every operation's body can be re-run without doing anything twice.

use memberkit::store::AccessFacts;
use memberkit::{MemberId, ProductId, Result, Store, TenantId, Tx};

/// Wraps a store so that each read runs twice and each write is first rehearsed (run and
/// rolled back), then run for real.
pub struct RetryingStore<S>(pub S);

impl<S: Store> Store for RetryingStore<S> {
    fn read(&self, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()> {
        self.0.read(f)?;
        self.0.read(f)
    }

    fn write(&self, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()> {
        // A first attempt that fails its checks fails the same way the second time; only a
        // storage failure is retried, so pass the first attempt's error on.
        self.0.rehearse(f)?;
        self.0.write(f)
    }

    fn rehearse(&self, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()> {
        self.0.rehearse(f)?;
        self.0.rehearse(f)
    }

    fn access_facts(
        &self,
        tenant: TenantId,
        member: MemberId,
        product: ProductId,
    ) -> Result<Option<AccessFacts>> {
        self.0.access_facts(tenant, member, product)
    }

    fn report(&self) -> Result<memberkit::StoreReport> {
        self.0.report()
    }

    fn try_access_facts(
        &self,
        tenant: TenantId,
        member: MemberId,
        product: ProductId,
    ) -> Option<Result<Option<AccessFacts>>> {
        self.0.try_access_facts(tenant, member, product)
    }
}
