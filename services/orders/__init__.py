"""The storefront and back office: catalog and stock, orders, payments and reminders, shipments and tracking,
refunds and returns."""
