/**
 * `sliding-window.ts`'s step in Lua, run atomically by Redis: one round trip per decision,
 * and no two decisions on a key ever interleave, whichever gateway instance sends them.
 *
 * Time comes from Redis (`TIME`, in microseconds), as in the GCRA script (`redis-script.ts`),
 * so instances with skewed clocks share one timeline. State is a sorted set: one member per
 * admitted call, scored by its time. Members are `"<µs>:<n>"`, `n` counting the members of
 * that score: unique, because calls leave the set by score, so the members of one score
 * leave all together or not at all. The key expires one window after the newest call, so
 * Redis forgets idle callers by itself; a denied call writes nothing (it only drops calls
 * that have left the window).
 *
 * KEYS[1] window key. ARGV: max, windowMs, cost.
 * Returns {allowed (0|1), remaining, resetMs, retryAfterMs} (integers).
 */
export const SLIDING_WINDOW_LUA = `
pcall(redis.replicate_commands) -- Redis < 5 needs it before TIME + writes; later versions ignore it
local max = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local window = windowMs * 1000
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if newest[2] and tonumber(newest[2]) > now then now = tonumber(newest[2]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - window))
local count = redis.call('ZCARD', KEYS[1])
if cost <= max and count + cost <= max then
  local at = string.format('%d', now) -- µs as exact integer text, never '1.7e+15'
  local same = redis.call('ZCOUNT', KEYS[1], at, at)
  for i = 1, cost do
    redis.call('ZADD', KEYS[1], at, at .. ':' .. (same + i))
  end
  redis.call('PEXPIRE', KEYS[1], windowMs)
  return {1, max - count - cost, windowMs, 0}
end
local remaining = max - count
if remaining < 0 then remaining = 0 end
local resetMs = 0
if count > 0 then
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  resetMs = math.ceil((tonumber(last[2]) + window - now) / 1000)
end
local retryMs = windowMs
if cost <= max then
  local k = count + cost - max -- the calls that must leave first (at least 1)
  local e = redis.call('ZRANGE', KEYS[1], k - 1, k - 1, 'WITHSCORES')
  retryMs = math.ceil((tonumber(e[2]) + window - now) / 1000)
  if retryMs < 1 then retryMs = 1 end
end
return {0, remaining, resetMs, retryMs}
`;
