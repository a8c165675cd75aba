-- A nullable column with a constant default: instant on PostgreSQL 11+, no table rewrite.
ALTER TABLE customers ADD COLUMN marketing_opt_in boolean DEFAULT false;
