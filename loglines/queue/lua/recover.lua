-- recover: give back the in-flight items of consumers that stopped
-- heartbeating. An owner missing from {p}:consumers counts as dead too, so
-- a lost registration never strands items. Attempts were counted at fetch:
-- an item whose consumer died max_attempts times is dead-lettered.
-- KEYS[1] inflight  KEYS[2] attempts  KEYS[3] errors  KEYS[4] ready
-- KEYS[5] dead  KEYS[6] signal  KEYS[7] {p}:consumers
-- ARGV[1] consumer timeout ms  ARGV[2] max_attempts
-- ARGV[3] now in ms ('' = Redis clock)
-- Returns {requeued, dead}
local timeout, max_attempts = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = now_ms(ARGV[3])
local held = redis.call('HGETALL', KEYS[1])
local alive = {}
local requeued, dead = 0, 0
local back = {}
for i = 1, #held, 2 do
  local id, owner = held[i], held[i + 1]
  if alive[owner] == nil then
    local beat = redis.call('ZSCORE', KEYS[7], owner)
    alive[owner] = beat ~= false and tonumber(beat) >= now - timeout
  end
  if not alive[owner] then
    redis.call('HDEL', KEYS[1], id)
    redis.call('HSET', KEYS[3], id, 'consumer ' .. owner .. ' died holding it (no heartbeat)')
    -- The fetch that ends here becomes a past attempt (see fetch.lua).
    local attempts = redis.call('HINCRBY', KEYS[2], id, 1)
    if attempts >= max_attempts then
      redis.call('ZADD', KEYS[5], fmt(now), id)
      dead = dead + 1
    else
      back[#back + 1] = id
    end
  end
end
-- Oldest id fetched first: push them newest first onto the consumer end.
table.sort(back, function(a, b) return tonumber(a) > tonumber(b) end)
call_sliced('RPUSH', KEYS[4], back)
requeued = #back
if requeued > 0 then signal(KEYS[6]) end
return {requeued, dead}
