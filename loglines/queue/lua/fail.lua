-- fail: items a consumer could not process. A temporary failure parks the
-- item in delayed until its due time; a permanent one, or one past
-- max_attempts, dead-letters it. The error text is kept either way.
-- KEYS[1] inflight  KEYS[2] attempts  KEYS[3] errors  KEYS[4] delayed
-- KEYS[5] dead
-- ARGV[1] consumer id  ARGV[2] max_attempts  ARGV[3] now in ms ('' = Redis
-- clock), then 4 values per item: id, delay ms, permanent (1/0), error
-- Items this consumer does not hold are skipped.
-- Returns {delayed, dead}
local cid, max_attempts = ARGV[1], tonumber(ARGV[2])
local now = now_ms(ARGV[3])
local delayed, dead = 0, 0
for i = 4, #ARGV, 4 do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[1], id) == cid then
    redis.call('HDEL', KEYS[1], id)
    redis.call('HSET', KEYS[3], id, ARGV[i + 3])
    -- The fetch that ends here becomes a past attempt (see fetch.lua).
    local attempts = redis.call('HINCRBY', KEYS[2], id, 1)
    if ARGV[i + 2] == '1' or attempts >= max_attempts then
      redis.call('ZADD', KEYS[5], fmt(now), id)
      dead = dead + 1
    else
      redis.call('ZADD', KEYS[4], fmt(now + tonumber(ARGV[i + 1])), id)
      delayed = delayed + 1
    end
  end
end
return {delayed, dead}
