#!/usr/bin/env bash
# Runs the one-off admin task of a TrailLoop stack on Fargate and waits for it:
#
#   ecs/run-admin-task.sh STACK migrate
#   ecs/run-admin-task.sh STACK api-user --name trailloop_app
#   ecs/run-admin-task.sh STACK import --region andorra \
#       --pbf /app/data/andorra.osm.pbf --dem /app/data/N42E001.hgt.zip
#
# In this order on a new stack: migrate creates the schema and the NOLOGIN role
# trailloop_api; api-user creates (or updates) the API service's login with the password
# from the stack's secret (TRAILLOOP_API_DB_PASSWORD) and grants it trailloop_api (without
# --name it takes the stack's ApiDatabaseUsername output); then import, then start the
# service. The task logs in as the RDS master user (TLS required).
#
# The task uses the admin task definition, subnets and security group from the stack's
# outputs (the database admits that security group only). Exits with the container's
# exit code and prints where its logs are. Needs the AWS CLI v2 with credentials.
set -euo pipefail

if [ "$#" -lt 2 ]; then
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
STACK="$1"; shift

output() {
  aws cloudformation describe-stacks --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
json_string() {
  local s="${1//\\/\\\\}"
  s="${s//\"/\\\"}"
  printf '"%s"' "$s"
}

# `api-user` without --name: the login the stack's API database URL uses.
if [ "$1" = "api-user" ]; then
  has_name=0
  for arg in "$@"; do
    case "$arg" in --name|--name=*) has_name=1 ;; esac
  done
  if [ "$has_name" -eq 0 ]; then
    API_USER="$(output ApiDatabaseUsername)"
    if [ -z "$API_USER" ] || [ "$API_USER" = "None" ]; then
      echo "stack $STACK has no ApiDatabaseUsername output: give --name" >&2
      exit 1
    fi
    set -- "$@" --name "$API_USER"
  fi
fi

CLUSTER="$(output ClusterName)"
TASK_DEF="$(output AdminTaskDefinitionArn)"
CONTAINER="$(output AdminContainerName)"
SUBNETS="$(output TaskSubnetIds)"
SECURITY_GROUP="$(output TaskSecurityGroupId)"
PUBLIC_IP="$(output AssignPublicIp)"
REGION="$(aws configure get region || true)"
if [ -z "$CLUSTER" ] || [ "$CLUSTER" = "None" ]; then
  echo "stack $STACK has no ClusterName output" >&2
  exit 1
fi

command_json=""
for arg in "$@"; do
  command_json+="${command_json:+,}$(json_string "$arg")"
done
overrides="{\"containerOverrides\":[{\"name\":$(json_string "$CONTAINER"),\"command\":[${command_json}]}]}"

echo "running on $CLUSTER: trailloop $*"
TASK_ARN="$(aws ecs run-task \
  --cluster "$CLUSTER" \
  --task-definition "$TASK_DEF" \
  --launch-type FARGATE \
  --count 1 \
  --started-by trailloop-admin \
  --network-configuration "awsvpcConfiguration={subnets=[${SUBNETS}],securityGroups=[${SECURITY_GROUP}],assignPublicIp=${PUBLIC_IP}}" \
  --overrides "$overrides" \
  --query 'tasks[0].taskArn' --output text)"
if [ -z "$TASK_ARN" ] || [ "$TASK_ARN" = "None" ]; then
  echo "run-task started nothing (see 'failures' with: aws ecs run-task ... --output json)" >&2
  exit 1
fi
TASK_ID="${TASK_ARN##*/}"
echo "task $TASK_ID started; logs: CloudWatch group /ecs/$STACK/admin, stream admin/$CONTAINER/$TASK_ID"

# Poll rather than `aws ecs wait tasks-stopped`, which gives up after 10 minutes:
# imports of large regions take longer.
last=""
while :; do
  status="$(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$TASK_ARN" \
    --query 'tasks[0].lastStatus' --output text)"
  [ "$status" != "$last" ] && echo "status: $status"
  last="$status"
  [ "$status" = "STOPPED" ] && break
  sleep 15
done

read -r EXIT_CODE STOPPED_REASON < <(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$TASK_ARN" \
  --query "tasks[0].[containers[?name=='$CONTAINER'] | [0].exitCode, stoppedReason]" --output text)
echo "task $TASK_ID stopped: exit code $EXIT_CODE ($STOPPED_REASON)"
if [ -n "$REGION" ]; then
  echo "logs: aws logs tail /ecs/$STACK/admin --log-stream-names admin/$CONTAINER/$TASK_ID --region $REGION"
fi
[ "$EXIT_CODE" = "0" ]
