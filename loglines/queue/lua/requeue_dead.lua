-- requeue_dead: give dead items a fresh start, attempts reset, at the
-- producer end of ready. The last error is kept until the item is acked.
-- KEYS[1] dead  KEYS[2] attempts  KEYS[3] ready  KEYS[4] signal
-- ARGV[1..] ids
-- Returns the number requeued (ids not dead are skipped).
local ids = take_dead(KEYS[1], ARGV, 1)
if #ids == 0 then return 0 end
call_sliced('HDEL', KEYS[2], ids)
call_sliced('LPUSH', KEYS[3], ids)
signal(KEYS[4])
return #ids
