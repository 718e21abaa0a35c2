/**
 * `gcra.ts`'s step in Lua, run atomically by Redis: one round trip per decision, and no
 * two decisions on a key ever interleave, whichever gateway instance sends them.
 *
 * Time comes from Redis (`TIME`), not from the gateways, so instances with skewed clocks
 * still share one timeline. It is in microseconds: exact integers well inside a double.
 * State is one string `"<tokens>|<at µs>"` with a TTL of "until full": an expired key
 * is a full bucket, so Redis forgets idle identities by itself. A denied request writes
 * nothing.
 *
 * KEYS[1] bucket key. ARGV: limit, windowMs, cost.
 * Returns {allowed (0|1), remaining, resetMs, retryAfterMs} (integers).
 */
export const GCRA_LUA = `
pcall(redis.replicate_commands) -- Redis < 5 needs it before TIME + writes; later versions ignore it
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2]) * 1000
local cost = tonumber(ARGV[3])
local eps = 1e-9
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local usPerToken = window / limit
local tokens = limit
local raw = redis.call('GET', KEYS[1])
if raw then
  local sep = string.find(raw, '|', 1, true)
  local stored = sep and tonumber(string.sub(raw, 1, sep - 1))
  local at = sep and tonumber(string.sub(raw, sep + 1))
  if stored and at then
    local elapsed = now - at
    if elapsed < 0 then elapsed = 0 end
    tokens = math.min(limit, stored + elapsed / usPerToken)
  end
end
if cost <= limit and tokens + eps >= cost then
  local left = tokens - cost
  if left < 0 then left = 0 end
  local resetUs = (limit - left) * usPerToken
  local ttl = math.ceil(resetUs / 1000)
  if ttl < 1 then ttl = 1 end
  redis.call('SET', KEYS[1], string.format('%.17g|%d', left, now), 'PX', ttl)
  return {1, math.floor(left + eps), ttl, 0}
end
local retryUs
if cost > limit then retryUs = window else retryUs = (cost - tokens) * usPerToken end
local retryMs = math.ceil(retryUs / 1000)
if retryMs < 1 then retryMs = 1 end
return {0, math.floor(tokens + eps), math.ceil((limit - tokens) * usPerToken / 1000), retryMs}
`;
