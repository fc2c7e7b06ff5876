-- purge_dead: delete dead items for good.
-- KEYS[1] dead  KEYS[2] items  KEYS[3] attempts  KEYS[4] errors
-- ARGV[1..] ids
-- Returns the number purged (ids not dead are skipped).
local n = 0
for i = 1, #ARGV do
  local id = ARGV[i]
  if redis.call('ZREM', KEYS[1], id) == 1 then
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
    n = n + 1
  end
end
return n
