-- release: give items back untouched (graceful stop); they go to the
-- consumer end of ready, to be fetched next, and the attempt counted at
-- fetch is given back because no work was done on them.
-- KEYS[1] inflight  KEYS[2] attempts  KEYS[3] ready  KEYS[4] signal
-- ARGV[1] consumer id  ARGV[2..] ids
-- Returns the number released.
local cid = ARGV[1]
local released = 0
-- Backwards, so that the first of them is fetched first again.
for i = #ARGV, 2, -1 do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[1], id) == cid then
    redis.call('HDEL', KEYS[1], id)
    if redis.call('HINCRBY', KEYS[2], id, -1) <= 0 then
      redis.call('HDEL', KEYS[2], id)
    end
    redis.call('RPUSH', KEYS[3], id)
    released = released + 1
  end
end
if released > 0 then signal(KEYS[4]) end
return released
