-- room: whether a queue is below its cap, as push decides it, for a
-- consumer that forwards copies into it and must not fetch while it is full.
-- KEYS[1] ready  KEYS[2] inflight  KEYS[3] delayed
-- ARGV[1] cap (0: none)
-- Returns {1 if there is room else 0, depth}. Reads only.
local cap = tonumber(ARGV[1])
local d = depth(KEYS[1], KEYS[2], KEYS[3])
if cap > 0 and d >= cap then
  return {0, d}
end
return {1, d}
