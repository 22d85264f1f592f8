-- Loops that users saved. The loop is stored whole, as the API returned it, so a plan
-- stays valid when a later import replaces the network it was planned on.
CREATE TABLE plans (
    id         uuid        PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    name       text        CHECK (char_length(name) <= 200),
    body       jsonb       NOT NULL
);
