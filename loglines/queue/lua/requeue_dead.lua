-- requeue_dead: give dead items a fresh start, attempts reset, at the
-- producer end of ready. The last error is kept until the item is acked.
-- KEYS[1] dead  KEYS[2] attempts  KEYS[3] ready  KEYS[4] signal
-- ARGV[1..] ids
-- Returns the number requeued (ids not dead are skipped).
local n = 0
for i = 1, #ARGV do
  local id = ARGV[i]
  if redis.call('ZREM', KEYS[1], id) == 1 then
    redis.call('HDEL', KEYS[2], id)
    redis.call('LPUSH', KEYS[3], id)
    n = n + 1
  end
end
if n > 0 then signal(KEYS[4]) end
return n
