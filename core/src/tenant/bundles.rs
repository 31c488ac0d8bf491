//! Bundles: a paid product that includes other products (a membership that unlocks three
//! courses). A grant to the bundle gives access to everything it includes, at query time, so
//! including or removing a product takes effect for every holder at once.

use crate::error::{Error, Result};
use crate::ids::*;
use crate::model::*;
use crate::op::Op;
use crate::permission::Permission;
use crate::policy::bundles::{closure, makes_cycle};
use crate::tenant::Tenant;
use serde_json::json;

impl Tenant {
    // ----- bundles ----------------------------------------------------------------------------

    /// Includes `product` in `bundle`: every holder of an active grant to the bundle may use
    /// the product at once (a bundle may include bundles). Returns the bundle's direct items.
    /// Including what is included already changes nothing. Needs `products.manage`. Audited
    /// (`bundle.item_added`). Errors: `invalid_input` (a free bundle: only paid products
    /// grant), `conflict` (the bundle would include itself), `not_found`.
    pub fn include_in_bundle(
        &self,
        actor: Actor,
        bundle: ProductId,
        product: ProductId,
    ) -> Result<Vec<Product>> {
        self.write(actor, |op| {
            op.require(&Permission::PRODUCTS_MANAGE)?;
            let b = op.product(bundle)?;
            let item = op.product(product)?;
            if !b.paid {
                return Err(Error::invalid(
                    "bundle",
                    format!(
                        "`{}` is free: only a paid product's grants can include others",
                        b.name
                    ),
                ));
            }
            let mut edges = direct_edges(op)?;
            if edges.contains(&(b.id, item.id)) {
                return items_of(op, b.id);
            }
            if makes_cycle(&edges, b.id, item.id) {
                return Err(Error::Conflict(format!(
                    "`{}` includes `{}` already: including it back would make a cycle",
                    item.name, b.name
                )));
            }
            edges.push((b.id, item.id));
            write_items(op, &edges)?;
            op.audit(
                "bundle.item_added",
                b.id,
                json!({ "bundle_id": b.id, "product_id": item.id, "product_name": item.name }),
            )?;
            items_of(op, b.id)
        })
    }

    /// Takes `product` out of `bundle`: holders of the bundle lose it at once, unless they hold
    /// it directly or through another bundle. Returns whether it was in. Needs
    /// `products.manage`. Audited (`bundle.item_removed`). Errors: `not_found`.
    pub fn remove_from_bundle(
        &self,
        actor: Actor,
        bundle: ProductId,
        product: ProductId,
    ) -> Result<bool> {
        self.write(actor, |op| {
            op.require(&Permission::PRODUCTS_MANAGE)?;
            let b = op.product(bundle)?;
            let item = op.product(product)?;
            let mut edges = direct_edges(op)?;
            let before = edges.len();
            edges.retain(|e| *e != (b.id, item.id));
            if edges.len() == before {
                return Ok(false);
            }
            write_items(op, &edges)?;
            op.audit(
                "bundle.item_removed",
                b.id,
                json!({ "bundle_id": b.id, "product_id": item.id, "product_name": item.name }),
            )?;
            Ok(true)
        })
    }

    /// The products `bundle` includes directly, oldest first. Errors: `not_found`.
    pub fn bundle_items(&self, bundle: ProductId) -> Result<Vec<Product>> {
        let now = self.hub().now();
        crate::store::read(self.hub().store(), |tx| {
            let op = Op::new(tx, self.id(), Actor::System, now);
            op.product(bundle)?;
            items_of(&op, bundle)
        })
    }
}

fn direct_edges(op: &Op) -> Result<Vec<(ProductId, ProductId)>> {
    Ok(op
        .tx
        .bundle_items(op.tenant)?
        .into_iter()
        .filter(|(_, _, direct)| *direct)
        .map(|(b, p, _)| (b, p))
        .collect())
}

/// Stores the direct inclusions and the nested ones they imply.
fn write_items(op: &Op, edges: &[(ProductId, ProductId)]) -> Result<()> {
    let rows: Vec<(ProductId, ProductId, bool)> = closure(edges)
        .into_iter()
        .map(|(b, p)| (b, p, edges.contains(&(b, p))))
        .collect();
    op.tx.replace_bundle_items(op.tenant, &rows)
}

fn items_of(op: &Op, bundle: ProductId) -> Result<Vec<Product>> {
    let direct: Vec<ProductId> = direct_edges(op)?
        .into_iter()
        .filter(|(b, _)| *b == bundle)
        .map(|(_, p)| p)
        .collect();
    Ok(op
        .tx
        .products(op.tenant)?
        .into_iter()
        .filter(|p| direct.contains(&p.id))
        .collect())
}
