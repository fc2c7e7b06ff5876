-- fetch: hand up to N items to one consumer, counting the attempt now, so
-- an item that kills its consumer is counted too. Delayed items that are
-- due are promoted first.
-- The attempt under way is counted by the inflight entry itself: attempts
-- holds the fetches that ended without an ack, and fail and recover add the
-- one that ends there. A batch then costs one hash write per item, and the
-- attempts hash is empty, and not read, while nothing has failed.
-- KEYS[1] ready  KEYS[2] items  KEYS[3] attempts  KEYS[4] inflight
-- KEYS[5] delayed  KEYS[6] dead  KEYS[7] errors  KEYS[8] signal
-- ARGV[1] consumer id  ARGV[2] max items (<= 1000)  ARGV[3] max_attempts
-- ARGV[4] now in ms ('' = Redis clock)
-- Returns {ids, payloads, attempts, ms until the next delayed item is due or
-- -1 when none is delayed, given up, orphans}; attempts is empty when every
-- one of them is 1, else one per id.
-- "given up": items past max_attempts, moved to dead instead of handed out.
-- "orphans": ids without a payload (debris of a manual edit), forgotten.
local cid, count, max_attempts = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now = now_ms(ARGV[4])
local due = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, count)
if #due > 0 then
  call_sliced('ZREM', KEYS[5], due)
  -- The earliest due is pushed last, to be popped first.
  local reversed = {}
  for i = #due, 1, -1 do reversed[#reversed + 1] = due[i] end
  call_sliced('RPUSH', KEYS[1], reversed)
end
local out_ids, out_payloads, out_attempts, given_up, orphans = {}, {}, {}, 0, 0
local ids = redis.call('RPOP', KEYS[1], count)
if ids then
  -- One command per kind of write for the whole batch, not one per item.
  local payloads = redis.call('HMGET', KEYS[2], unpack(ids))
  local counts = false
  if redis.call('HLEN', KEYS[3]) > 0 then counts = redis.call('HMGET', KEYS[3], unpack(ids)) end
  local inflight_kv, n = {}, 0
  for i, id in ipairs(ids) do
    local payload = payloads[i]
    local attempts = 1
    if counts and counts[i] then attempts = tonumber(counts[i]) + 1 end
    if not payload then
      orphans = orphans + 1
      redis.call('HDEL', KEYS[3], id)
      redis.call('HDEL', KEYS[7], id)
    elseif attempts > max_attempts then
      local last = redis.call('HGET', KEYS[7], id) or 'no error recorded'
      redis.call('HSET', KEYS[7], id,
        'gave up after ' .. (attempts - 1) .. ' attempts; last error: ' .. last)
      redis.call('ZADD', KEYS[6], now, id)
      given_up = given_up + 1
    else
      n = n + 1
      inflight_kv[2 * n - 1] = id
      inflight_kv[2 * n] = cid
      out_ids[n] = id
      out_payloads[n] = payload
      if counts then out_attempts[n] = attempts end
    end
  end
  hset_batch(KEYS[4], inflight_kv)
  -- Chain the wake-up: another blocked consumer takes what is left.
  if redis.call('LLEN', KEYS[1]) > 0 then signal(KEYS[8]) end
end
local nxt = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
local wait = -1
if nxt[2] then wait = math.max(0, tonumber(nxt[2]) - now) end
return {out_ids, out_payloads, out_attempts, fmt(wait), given_up, orphans}
