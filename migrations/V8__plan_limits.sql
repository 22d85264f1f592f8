-- Saved plans expire, and count against the quota of the client that saved them. The
-- client is kept as a keyed hash of its address, never the address itself.
ALTER TABLE plans
    ADD COLUMN client     text,
    ADD COLUMN expires_at timestamptz;
-- Plans saved before retention existed get the default year from when they were saved.
UPDATE plans SET expires_at = created_at + interval '365 days';
ALTER TABLE plans ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX plans_client_created_at ON plans (client, created_at) WHERE client IS NOT NULL;
CREATE INDEX plans_expires_at ON plans (expires_at);
