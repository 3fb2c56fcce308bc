"""Signals other apps can listen to (the catalog imports nothing from them).

Stock is the inventory's business: every change of `quantity_on_hand` should leave a stock
movement. A product saved one at a time sends Django's `post_save`, with
`instance.previous_quantity_on_hand` (None for a new product) so a listener can tell what
changed. A CSV import writes in bulk, which sends no `post_save`; it sends `products_imported`
instead, inside the import's transaction:

    products_imported.send(
        sender=Product,
        created=[Product, ...],                      # new products, saved, with their stock
        stock_changes=[(Product, before, after)],    # updated products whose stock changed
        user=user,
    )
"""

from django.dispatch import Signal

products_imported = Signal()
