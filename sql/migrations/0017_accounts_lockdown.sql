-- "This wasn't me", a password reset and a password change revoke every
-- API token of the user and void every unused reset link; reset mail is
-- limited per account and hour.  Each of those finds the user's rows.
CREATE INDEX password_resets_user ON password_resets (tenant_id, user_id, created_at);
CREATE INDEX api_tokens_user ON api_tokens (tenant_id, user_id) WHERE revoked_at IS NULL;
