-- Built without blocking writes; Shipgate runs it outside a transaction on its own.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_idx ON orders (created_at);
