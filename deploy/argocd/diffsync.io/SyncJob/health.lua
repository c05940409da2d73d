-- Argo CD health check of a diffsync.io SyncJob (resource.customizations.health.diffsync.io_SyncJob).
-- It reads what the diffsync operator writes in status.phase:
--   Succeeded        -> Healthy
--   Failed           -> Degraded
--   Blocked          -> Degraded     (the deletion guard stopped the sync: a person must act)
--   AwaitingApproval -> Suspended    (a plan waits for spec.approvedPlan: waiting, not failing)
--   Suspended        -> Suspended    (spec.suspend)
--   Pending, Running -> Progressing  (also with no status yet, or a spec the operator has not seen)
-- Any other phase is Unknown. Lua 5.1, as Argo CD runs it; tested by tests/operator/test_health_script.py
-- on status documents recorded from the operator (testdata/).
local hs = {}

local function condition_message(status)
  if status.conditions ~= nil then
    for _, condition in ipairs(status.conditions) do
      if condition.type == "Ready" and condition.message ~= nil and condition.message ~= "" then
        return condition.message
      end
    end
  end
  return ""
end

local status = obj.status
if status == nil or status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the diffsync operator"
  return hs
end

local generation = obj.metadata ~= nil and obj.metadata.generation or nil
if generation ~= nil and status.observedGeneration ~= nil and generation > status.observedGeneration then
  hs.status = "Progressing"
  hs.message = "Waiting for the diffsync operator to see the latest spec"
  return hs
end

local phase = status.phase
if phase == "Succeeded" then
  hs.status = "Healthy"
  hs.message = condition_message(status)
elseif phase == "Failed" or phase == "Blocked" then
  hs.status = "Degraded"
  hs.message = condition_message(status)
elseif phase == "AwaitingApproval" then
  hs.status = "Suspended"
  hs.message = condition_message(status)  -- names the plan, its counts and how to approve it
elseif phase == "Suspended" then
  hs.status = "Suspended"
  hs.message = condition_message(status)
elseif phase == "Pending" or phase == "Running" then
  hs.status = "Progressing"
  hs.message = condition_message(status)
else
  hs.status = "Unknown"
  hs.message = "Unknown SyncJob phase " .. tostring(phase)
end
return hs
