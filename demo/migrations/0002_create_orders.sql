CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  total_cents bigint NOT NULL CHECK (total_cents >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO customers (email) SELECT 'customer' || g || '@example.com' FROM generate_series(1, 500) AS g;
INSERT INTO orders (customer_id, total_cents) SELECT 1 + (g % 500), g * 7 FROM generate_series(1, 5000) AS g;
