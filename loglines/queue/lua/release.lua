-- release: give items back untouched (graceful stop); they go to the
-- consumer end of ready, to be fetched next. The attempt counted at fetch
-- is given back because no work was done on them: it was only ever counted
-- by the inflight entry (see fetch.lua), which goes.
-- KEYS[1] inflight  KEYS[2] ready  KEYS[3] signal
-- ARGV[1] consumer id  ARGV[2..] ids
-- Returns the number released.
local cid = ARGV[1]
local released = 0
-- Backwards, so that the first of them is fetched first again.
for i = #ARGV, 2, -1 do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[1], id) == cid then
    redis.call('HDEL', KEYS[1], id)
    redis.call('RPUSH', KEYS[2], id)
    released = released + 1
  end
end
if released > 0 then signal(KEYS[3]) end
return released
