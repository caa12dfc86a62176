--[[
Persists one batch of the Raft core in one atomic step, in this order:
  (a) install a snapshot: keep the entries after it if the log holds the
      snapshot's last entry (same index and term), else drop the whole log;
  (b) append entries, first deleting every stored entry from the first new
      index on (a conflicting suffix);
  (c) store the hard state.

Redis does not undo the writes of a script that fails half-way, so every check
runs before the first write: a refused batch changes nothing. The same batch
may be sent again (after a timeout, say) and leaves the same state.

KEYS[1] log LIST, KEYS[2] hard state HASH, KEYS[3] snapshot HASH
ARGV[1..4] snapshot index, term, confState JSON, data ("" index: no snapshot)
ARGV[5..7] hard state term, vote, commit ("" term: no hard state)
ARGV[8]    index of the first new entry ("": no entries)
ARGV[9..]  the new entries, encoded as entry-codec.ts does, contiguous
Errors start with STORAGE_REJECTED or STORAGE_CORRUPT.
]]

local logKey, hardStateKey, snapshotKey = KEYS[1], KEYS[2], KEYS[3]
local FIRST_ENTRY_ARG = 9
local PUSH_CHUNK = 1000

local function rejected(message)
  return redis.error_reply("STORAGE_REJECTED " .. message)
end
local function corrupt(message)
  return redis.error_reply("STORAGE_CORRUPT " .. message)
end
local function int(number)
  return string.format("%d", number)
end
local function termOfEncoded(encoded)
  return tonumber(string.match(encoded, "^%d+:(%d+):"))
end

local storedSnapshot = redis.call("HMGET", snapshotKey, "index", "term")
local storedSnapshotIndex = tonumber(storedSnapshot[1]) or 0
local storedSnapshotTerm = tonumber(storedSnapshot[2]) or 0
local storedFirstIndex = storedSnapshotIndex + 1
local storedLastIndex = storedSnapshotIndex + redis.call("LLEN", logKey)
local storedHardState = redis.call("HMGET", hardStateKey, "term", "vote", "commit")
local storedCommit = tonumber(storedHardState[3]) or 0

-- Term at `index` in the log as stored before this batch: a number, nil when
-- the log does not reach that index, or false when the stored entry is unreadable.
local function storedTermAt(index)
  if index == storedSnapshotIndex then
    return storedSnapshotTerm
  end
  if index < storedFirstIndex or index > storedLastIndex then
    return nil
  end
  -- Redis walks a list from the end its index counts from: address entries in
  -- the newer half from the tail, where appends look (O(1) instead of O(log length)).
  local position = index - storedFirstIndex
  if index > (storedFirstIndex + storedLastIndex) / 2 then
    position = index - storedLastIndex - 1
  end
  local encoded = redis.call("LINDEX", logKey, int(position))
  if not encoded or tonumber(string.match(encoded, "^(%d+):")) ~= index then
    return false
  end
  return termOfEncoded(encoded) or false
end

-- (a) Check the snapshot; the log then runs from snapshotIndex + 1 to lastIndex.
local hasSnapshot = ARGV[1] ~= ""
local snapshotIndex, snapshotTerm = storedSnapshotIndex, storedSnapshotTerm
local lastIndex = storedLastIndex
local keepLogAfterSnapshot = true
if hasSnapshot then
  snapshotIndex, snapshotTerm = tonumber(ARGV[1]), tonumber(ARGV[2])
  if snapshotIndex < storedSnapshotIndex then
    return rejected("snapshot at index " .. ARGV[1] .. " is older than the stored one at " .. int(storedSnapshotIndex))
  end
  local termThere = storedTermAt(snapshotIndex)
  if termThere == false then
    return corrupt("stored entry " .. ARGV[1] .. " is unreadable")
  end
  if termThere ~= nil and termThere ~= snapshotTerm and snapshotIndex <= storedCommit then
    return rejected("snapshot at index " .. ARGV[1] .. " has term " .. ARGV[2] .. " but the committed entry there has term " .. int(termThere))
  end
  keepLogAfterSnapshot = termThere == snapshotTerm
  if not keepLogAfterSnapshot then
    lastIndex = snapshotIndex
  end
end

-- (b) Check the entries against the log left by (a).
local hasEntries = ARGV[8] ~= ""
local fromIndex = tonumber(ARGV[8])
local entryCount = #ARGV - FIRST_ENTRY_ARG + 1
local previousLastIndex = lastIndex
if hasEntries then
  if fromIndex <= snapshotIndex then
    return rejected("entries start at index " .. ARGV[8] .. ", inside the snapshot (index " .. int(snapshotIndex) .. ")")
  end
  if fromIndex > lastIndex + 1 then
    return rejected("entries start at index " .. ARGV[8] .. " but the log ends at " .. int(lastIndex) .. ": that would leave a gap")
  end
  local termBefore = snapshotTerm
  if fromIndex - 1 > snapshotIndex then
    termBefore = storedTermAt(fromIndex - 1)
  end
  if not termBefore then
    return corrupt("stored entry " .. int(fromIndex - 1) .. " is unreadable")
  end
  if termOfEncoded(ARGV[FIRST_ENTRY_ARG]) < termBefore then
    return rejected("entry " .. ARGV[8] .. " has a lower term than entry " .. int(fromIndex - 1) .. " (" .. int(termBefore) .. ")")
  end
  -- Cutting the suffix must not change or lose a committed entry.
  for index = fromIndex, math.min(storedCommit, lastIndex) do
    local position = FIRST_ENTRY_ARG + index - fromIndex
    if position > #ARGV then
      return rejected("entries end at index " .. int(fromIndex + entryCount - 1) .. " but committed entries up to " .. int(storedCommit) .. " would be deleted")
    end
    local termThere = storedTermAt(index)
    if not termThere then
      return corrupt("stored entry " .. int(index) .. " is unreadable")
    end
    if termOfEncoded(ARGV[position]) ~= termThere then
      return rejected("entry " .. int(index) .. " is committed with term " .. int(termThere) .. " and cannot be replaced")
    end
  end
  lastIndex = fromIndex + entryCount - 1
end

-- (c) Check the hard state.
local hasHardState = ARGV[5] ~= ""
if hasHardState then
  local term, vote, commit = tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
  local storedTerm = tonumber(storedHardState[1]) or 0
  local storedVote = storedHardState[2] or ""
  if term < storedTerm then
    return rejected("term " .. ARGV[5] .. " is lower than the stored term " .. int(storedTerm))
  end
  if term == storedTerm and storedVote ~= "" and vote ~= storedVote then
    return rejected("vote for " .. vote .. " in term " .. ARGV[5] .. " after voting for " .. storedVote .. " in that term")
  end
  if commit > lastIndex then
    return rejected("commit index " .. ARGV[7] .. " is beyond the last log index " .. int(lastIndex))
  end
end

-- Every check passed: write.
if hasSnapshot then
  redis.call("HSET", snapshotKey, "index", ARGV[1], "term", ARGV[2], "confState", ARGV[3], "data", ARGV[4])
  if keepLogAfterSnapshot then
    redis.call("LTRIM", logKey, int(snapshotIndex + 1 - storedFirstIndex), "-1")
  else
    redis.call("DEL", logKey)
  end
end
if hasEntries then
  local keptEntries = fromIndex - snapshotIndex - 1
  if keptEntries == 0 then
    redis.call("DEL", logKey)
  elseif fromIndex <= previousLastIndex then
    redis.call("LTRIM", logKey, "0", int(keptEntries - 1))
  end
  for chunkStart = FIRST_ENTRY_ARG, #ARGV, PUSH_CHUNK do
    redis.call("RPUSH", logKey, unpack(ARGV, chunkStart, math.min(chunkStart + PUSH_CHUNK - 1, #ARGV)))
  end
end
if hasHardState then
  redis.call("HSET", hardStateKey, "term", ARGV[5], "vote", ARGV[6], "commit", ARGV[7])
end
return "OK"
