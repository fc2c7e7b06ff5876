-- purge_dead: delete dead items for good.
-- KEYS[1] dead  KEYS[2] items  KEYS[3] attempts  KEYS[4] errors
-- ARGV[1..] ids
-- Returns the number purged (ids not dead are skipped).
local ids = take_dead(KEYS[1], ARGV, 1)
for k = 2, 4 do
  if #ids > 0 then call_sliced('HDEL', KEYS[k], ids) end
end
return #ids
