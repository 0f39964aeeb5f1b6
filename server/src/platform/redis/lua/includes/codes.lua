-- Refusal codes shared by every script; scripts.ts maps them to ScriptError and then to
-- the HotStore error codes (API.md). Success replies are tables or codes >= 0.
local NOT_FOUND = -1
local SESSION_CLOSED = -2
local TIME_UP = -3
local CONFLICT = -4
local NOT_PERSISTED = -5
