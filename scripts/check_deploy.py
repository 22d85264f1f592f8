#!/usr/bin/env python3
"""Static contract checks of TrailLoop's deployment files (run by scripts/check-deploy.sh).

    check_deploy.py [--dockerfile Dockerfile] [--compose docker-compose.yml] ecs/*.yaml

CloudFormation templates (short-form tags such as !Ref and !Sub are read with cfn-lint's
loader):
  * every AWS::ECS::TaskDefinition has Family, RequiresCompatibilities [FARGATE],
    NetworkMode awsvpc, Cpu, Memory, ExecutionRoleArn, TaskRoleArn and
    ContainerDefinitions; each container Name, Image, Essential, LogConfiguration
    (awslogs, group/region/stream prefix), Secrets with TRAILLOOP__DATABASE__URL from a
    KMS-encrypted Secrets Manager secret, ReadonlyRootFilesystem true, a non-root User
    and a StopTimeout (<= 120 s, above the service's graceful shutdown);
  * task definitions run by an AWS::ECS::Service also need PortMappings (with the port
    the load balancer targets) and a container HealthCheck;
  * every container trusts the RDS CA bundle (TRAILLOOP__DATABASE__CA_FILE) and drops
    all Linux capabilities;
  * the service, the load balancer and the database carry the settings the deployment
    relies on (circuit breaker with rollback, HTTPS, /readyz, encrypted RDS, ...);
  * database TLS: rds.force_ssl=1 and sslmode=require in every database URL secret;
  * least privilege: the service logs in with its own login (not the RDS master), the
    admin task has the master URL and the password `trailloop api-user` sets, which is
    the one in the service's URL; each execution role reads exactly its task's secrets;
  * the service's plan token key (a generated secret), proxy, keep-alive, metrics port
    (not the load balancer's port, not its target or health check, admitted by no
    security group of the service), docs and rate-limit settings; the load balancer's idle timeout, access logs to an
    encrypted, private, versioned, expiring, TLS-only bucket, /metrics answered 404 at
    the load balancer; a WAF web ACL (rate limit, AWS common and known-bad-inputs rule
    sets, SizeRestrictions_BODY counted only) on the load balancer;
  * Container Insights, an alarm topic encrypted with a customer-managed key that
    CloudWatch may use, an ECR repository (scan on push, immutable tags, KMS, lifecycle
    policy) that the task definitions take their image from.
Dockerfile: multi-stage distroless non-root image with a HEALTHCHECK, every base image
pinned as tag@sha256:digest, the RDS CA bundle added by checksum at the path the task
definitions name, the readelf check of the binary's libraries, /metrics on a port of
its own (ENV TRAILLOOP__SERVER__METRICS_PORT, exposed).
Compose file: PostGIS, migrate -> import -> api ordering, backup interval setting,
/metrics on a port of its own published on the host's loopback at most.

Exit status 1 when anything is missing; every problem is printed.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from pathlib import Path
from typing import Any, Iterable

MAX_FARGATE_STOP_TIMEOUT = 120
SHUTDOWN_ENV = "TRAILLOOP__SERVER__SHUTDOWN_TIMEOUT_SECS"
DEFAULT_SHUTDOWN_SECS = 30
DATABASE_URL_ENV = "TRAILLOOP__DATABASE__URL"
CA_FILE_ENV = "TRAILLOOP__DATABASE__CA_FILE"
CA_FILE = "/app/certs/rds-global-bundle.pem"
RDS_BUNDLE_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
TOKEN_KEY_ENV = "TRAILLOOP__PLANS__TOKEN_KEY"
API_DB_PASSWORD_ENV = "TRAILLOOP_API_DB_PASSWORD"
MIN_TOKEN_KEY_CHARS = 64
SECURE_SSLMODES = ("require",)  # the service takes disable, prefer or require; require verifies the chain and host
SERVICE_ENV = ("TRAILLOOP__SERVER__BEHIND_PROXY", "TRAILLOOP__SERVER__KEEP_ALIVE_SECS",
               "TRAILLOOP__SERVER__METRICS_PORT", "TRAILLOOP__SERVER__DOCS",
               "TRAILLOOP__RATE_LIMIT__PER_SECOND", "TRAILLOOP__RATE_LIMIT__BURST")
ELB_LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com"
DIGEST_RE = re.compile(r"@sha256:[0-9a-f]{64}$")


class Report:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.checked = 0

    def check(self, ok: bool, where: str, what: str) -> bool:
        self.checked += 1
        if not ok:
            self.problems.append(f"{where}: {what}")
        return ok


# --------------------------------------------------------------------- CloudFormation
class Template:
    def __init__(self, path: Path, data: dict) -> None:
        self.path = path
        self.data = data
        self.resources: dict = data.get("Resources") or {}
        self.parameters: dict = data.get("Parameters") or {}

    def of_type(self, type_name: str) -> Iterable[tuple[str, dict]]:
        for name, res in self.resources.items():
            if isinstance(res, dict) and res.get("Type") == type_name:
                yield name, res.get("Properties") or {}

    def values(self, value: Any) -> list[Any]:
        """The values an expression can take: Ref to a parameter gives its Default, Fn::If
        gives both branches; anything else is returned as it is."""
        if isinstance(value, dict) and len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref" and isinstance(arg, str) and arg in self.parameters:
                param = self.parameters[arg] or {}
                return [param.get("Default")] if "Default" in param else [value]
            if fn == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
                return self.values(arg[1]) + self.values(arg[2])
        return [value]

    def ref_target(self, value: Any) -> str | None:
        """Resource named by a Ref / Fn::GetAtt, if any."""
        if isinstance(value, dict) and len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref" and isinstance(arg, str) and arg in self.resources:
                return arg
            if fn == "Fn::GetAtt":
                name = arg[0] if isinstance(arg, list) else str(arg).split(".")[0]
                return name if name in self.resources else None
        return None

    def sub_text(self, value: Any) -> str:
        """The template string of a Fn::Sub (either form), or str() of anything else."""
        if isinstance(value, dict) and "Fn::Sub" in value:
            arg = value["Fn::Sub"]
            return arg[0] if isinstance(arg, list) and arg else str(arg)
        return value if isinstance(value, str) else str(value)

    def secret_source(self, value_from: Any) -> tuple[str | None, str | None]:
        """Secret resource (and JSON key) named by an ECS secret's ValueFrom: !Ref SECRET
        (the whole secret) or !Sub "${SECRET}:key::" (one JSON key of it)."""
        target = self.ref_target(value_from)
        if target:
            return target, None
        m = re.fullmatch(r"\$\{(\w+)\}:([^:]*):[^:]*:[^:]*", self.sub_text(value_from))
        if m and m.group(1) in self.resources:
            return m.group(1), m.group(2) or None
        return None, None

    def refs_in(self, value: Any) -> set[str]:
        """Resources named anywhere in an expression (Ref, GetAtt, ${Name} in Sub)."""
        found: set[str] = set()
        if isinstance(value, dict):
            target = self.ref_target(value)
            if target:
                found.add(target)
            for v in value.values():
                found |= self.refs_in(v)
        elif isinstance(value, list):
            for v in value:
                found |= self.refs_in(v)
        elif isinstance(value, str):
            for name in re.findall(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z.]+)?\}", value):
                if name in self.resources:
                    found.add(name)
        return found

    def props(self, name: str | None) -> dict:
        res = self.resources.get(name or "") or {}
        return res.get("Properties") or {}

    def type_of(self, name: str | None) -> str | None:
        return (self.resources.get(name or "") or {}).get("Type")


def load_template(path: Path) -> dict:
    from cfnlint.decode import decode  # cfn-lint's loader understands !Ref, !Sub, ...

    data, matches = decode(str(path))
    if matches or data is None:
        raise ValueError("; ".join(str(m) for m in matches) or "empty template")
    return data


def as_int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def non_root_user(user: Any) -> bool:
    if not isinstance(user, str) or not user.strip():
        return False
    uid = user.split(":", 1)[0].strip()
    return uid not in ("0", "root", "")


def check_task_definition(t: Template, name: str, props: dict, served: dict, r: Report) -> None:
    where = f"{t.path}: {name}"
    for key in ("Family", "Cpu", "Memory", "ExecutionRoleArn", "TaskRoleArn"):
        r.check(props.get(key) not in (None, ""), where, f"missing {key}")
    r.check("FARGATE" in (props.get("RequiresCompatibilities") or []), where,
            "RequiresCompatibilities must include FARGATE")
    r.check(props.get("NetworkMode") == "awsvpc", where, "NetworkMode must be awsvpc")
    containers = props.get("ContainerDefinitions") or []
    if not r.check(bool(containers), where, "missing ContainerDefinitions"):
        return
    r.check(any(is_true(c.get("Essential")) for c in containers), where,
            "no container is Essential: true")

    shutdown_values: list[int] = []
    for c in containers:
        cname = c.get("Name") or "?"
        cw = f"{where} container {cname}"
        for key in ("Name", "Image", "Essential"):
            r.check(c.get(key) not in (None, ""), cw, f"missing {key}")

        log = c.get("LogConfiguration") or {}
        opts = log.get("Options") or {}
        if r.check(log.get("LogDriver") == "awslogs", cw, "LogConfiguration.LogDriver must be awslogs"):
            for opt in ("awslogs-group", "awslogs-region", "awslogs-stream-prefix"):
                r.check(opt in opts, cw, f"LogConfiguration.Options lacks {opt}")
            group = t.ref_target(opts.get("awslogs-group"))
            if group:
                res = t.resources[group]
                r.check(res.get("Type") == "AWS::Logs::LogGroup", cw, f"awslogs-group {group} is not a log group")
                r.check("RetentionInDays" in (res.get("Properties") or {}), cw,
                        f"log group {group} has no RetentionInDays")

        secrets = {s.get("Name"): s.get("ValueFrom") for s in (c.get("Secrets") or [])}
        if r.check(DATABASE_URL_ENV in secrets, cw, f"Secrets lacks {DATABASE_URL_ENV}"):
            check_secret_source(t, secrets[DATABASE_URL_ENV], cw, r)
        env = {e.get("Name"): e.get("Value") for e in (c.get("Environment") or [])}
        r.check(DATABASE_URL_ENV not in env, cw, f"{DATABASE_URL_ENV} must not be a plain environment variable")
        r.check(env.get(CA_FILE_ENV) == CA_FILE, cw,
                f"{CA_FILE_ENV} must be {CA_FILE} (the RDS CA bundle of the image), got {env.get(CA_FILE_ENV)!r}")
        caps = ((c.get("LinuxParameters") or {}).get("Capabilities") or {})
        r.check("ALL" in (caps.get("Drop") or []), cw, "LinuxParameters.Capabilities.Drop must include ALL")
        r.check(not caps.get("Add"), cw, "LinuxParameters.Capabilities.Add must be empty")

        r.check(c.get("ReadonlyRootFilesystem") is True or c.get("ReadonlyRootFilesystem") == "true",
                cw, "ReadonlyRootFilesystem must be true")
        users = t.values(c.get("User"))
        r.check(all(non_root_user(u) for u in users), cw, f"User must be set and non-root (got {c.get('User')!r})")

        stop_values = t.values(c.get("StopTimeout"))
        if r.check(c.get("StopTimeout") is not None, cw, "missing StopTimeout"):
            for v in stop_values:
                n = as_int(v)
                if r.check(n is not None, cw, f"StopTimeout {v!r} is not a number"):
                    r.check(0 < n <= MAX_FARGATE_STOP_TIMEOUT, cw,
                            f"StopTimeout {n} outside 1..{MAX_FARGATE_STOP_TIMEOUT} (Fargate maximum)")
        shutdown = [as_int(v) for v in t.values(env.get(SHUTDOWN_ENV, DEFAULT_SHUTDOWN_SECS))]
        shutdown_values = [s for s in shutdown if s is not None]
        for stop in (as_int(v) for v in stop_values):
            for s in shutdown_values:
                if stop is not None:
                    r.check(stop > s, cw, f"StopTimeout {stop} s must exceed the graceful shutdown of {s} s")

        if name in served:
            ports = [as_int(t.values(p.get("ContainerPort"))[0]) for p in (c.get("PortMappings") or [])]
            targeted = served[name].get(cname)
            if targeted is not None:
                r.check(bool(ports), cw, "missing PortMappings (the service's load balancer targets it)")
                r.check(targeted in ports, cw, f"load balancer targets port {targeted}, not in PortMappings {ports}")
            elif c.get("Essential") is True:
                r.check(bool(ports), cw, "missing PortMappings")
            hc = c.get("HealthCheck") or {}
            cmd = hc.get("Command") or []
            if r.check(bool(cmd), cw, "missing HealthCheck.Command (tasks run by a service)"):
                r.check(cmd[0] in ("CMD", "CMD-SHELL"), cw, "HealthCheck.Command must start with CMD or CMD-SHELL")


def check_secret_source(t: Template, value_from: Any, where: str, r: Report) -> None:
    target = t.ref_target(value_from)
    if target:
        res = t.resources[target]
        if r.check(res.get("Type") == "AWS::SecretsManager::Secret", where,
                   f"{DATABASE_URL_ENV} comes from {target}, not a Secrets Manager secret"):
            r.check(bool((res.get("Properties") or {}).get("KmsKeyId")), where,
                    f"secret {target} is not encrypted with a KMS key (KmsKeyId)")
    else:
        text = str(value_from)
        r.check(":secretsmanager:" in text, where, f"{DATABASE_URL_ENV} is not read from Secrets Manager ({text})")


def check_template(path: Path, r: Report) -> None:
    try:
        t = Template(path, load_template(path))
    except Exception as exc:  # noqa: BLE001 - report any load failure
        r.check(False, str(path), f"cannot load template: {exc}")
        return

    # Task definitions run by a service, with the container ports their load balancers target.
    served: dict[str, dict[str, int | None]] = {}
    services = list(t.of_type("AWS::ECS::Service"))
    for sname, sprops in services:
        where = f"{path}: {sname}"
        td = t.ref_target(sprops.get("TaskDefinition"))
        if r.check(td is not None, where, "TaskDefinition must reference a task definition of this template"):
            lbs = sprops.get("LoadBalancers") or []
            served[td] = {lb.get("ContainerName"): as_int(lb.get("ContainerPort")) for lb in lbs}
        dc = sprops.get("DeploymentConfiguration") or {}
        cb = dc.get("DeploymentCircuitBreaker") or {}
        r.check(is_true(cb.get("Enable")) and is_true(cb.get("Rollback")), where,
                "DeploymentCircuitBreaker must have Enable and Rollback true")
        if sprops.get("LoadBalancers"):
            r.check("HealthCheckGracePeriodSeconds" in sprops, where, "missing HealthCheckGracePeriodSeconds")
        r.check(sprops.get("LaunchType") == "FARGATE" or "CapacityProviderStrategy" in sprops, where,
                "must run on Fargate")
    r.check(bool(services), str(path), "no AWS::ECS::Service")

    tds = list(t.of_type("AWS::ECS::TaskDefinition"))
    r.check(len(tds) >= 2, str(path), "expected the service's task definition and a one-off admin task definition")
    for name, props in tds:
        check_task_definition(t, name, props, served, r)

    # Load balancer: HTTPS with a certificate, HTTP redirected, readiness health check.
    listeners = list(t.of_type("AWS::ElasticLoadBalancingV2::Listener"))
    https = [p for _, p in listeners if p.get("Protocol") == "HTTPS"]
    r.check(bool(https) and all(p.get("Certificates") for p in https), str(path),
            "needs an HTTPS listener with a certificate")
    http = [p for _, p in listeners if p.get("Protocol") == "HTTP"]
    r.check(bool(http) and all(
        any(a.get("Type") == "redirect" and (a.get("RedirectConfig") or {}).get("Protocol") == "HTTPS"
            for a in p.get("DefaultActions") or []) for p in http), str(path),
        "the HTTP listener must redirect to HTTPS")
    for name, props in t.of_type("AWS::ElasticLoadBalancingV2::TargetGroup"):
        r.check(props.get("HealthCheckPath") == "/readyz", f"{path}: {name}", "target group health check must use /readyz")

    # Autoscaling: target tracking on CPU and on requests per target.
    metrics = {((p.get("TargetTrackingScalingPolicyConfiguration") or {}).get("PredefinedMetricSpecification") or {})
               .get("PredefinedMetricType") for _, p in t.of_type("AWS::ApplicationAutoScaling::ScalingPolicy")}
    for m in ("ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"):
        r.check(m in metrics, str(path), f"no target tracking policy on {m}")

    # Alarms: 5xx rate, latency, unhealthy hosts.
    alarm_text = " ".join(str(p) for _, p in t.of_type("AWS::CloudWatch::Alarm"))
    for metric in ("HTTPCode_Target_5XX_Count", "TargetResponseTime", "UnHealthyHostCount"):
        r.check(metric in alarm_text, str(path), f"no CloudWatch alarm on {metric}")

    # Database: encrypted, backed up, private, reachable from the service group only.
    dbs = list(t.of_type("AWS::RDS::DBInstance"))
    r.check(bool(dbs), str(path), "no AWS::RDS::DBInstance")
    for name, props in dbs:
        where = f"{path}: {name}"
        r.check(props.get("Engine") == "postgres", where, "Engine must be postgres")
        r.check(is_true(props.get("StorageEncrypted")), where, "StorageEncrypted must be true")
        r.check("BackupRetentionPeriod" in props and all((as_int(v) or 0) >= 1 for v in t.values(props["BackupRetentionPeriod"])),
                where, "BackupRetentionPeriod must be set (>= 1)")
        r.check("MultiAZ" in props, where, "missing MultiAZ")
        r.check(props.get("PubliclyAccessible") in (False, "false"), where, "PubliclyAccessible must be false")
        for sg in props.get("VPCSecurityGroups") or []:
            sg_name = t.ref_target(sg)
            if not sg_name:
                continue
            ingress = (t.resources[sg_name].get("Properties") or {}).get("SecurityGroupIngress") or []
            r.check(bool(ingress) and all("SourceSecurityGroupId" in rule and "CidrIp" not in rule for rule in ingress),
                    f"{path}: {sg_name}", "database ingress must come from security groups only")

    check_database_access(t, served, r)
    check_service_settings(t, served, r)
    check_edge(t, r)
    check_operations(t, r)


def container_env(c: dict) -> dict:
    return {e.get("Name"): e.get("Value") for e in (c.get("Environment") or [])}


def container_secrets(c: dict) -> dict:
    return {s.get("Name"): s.get("ValueFrom") for s in (c.get("Secrets") or [])}


def statements(doc: Any) -> list[dict]:
    st = (doc or {}).get("Statement") or []
    return [x for x in (st if isinstance(st, list) else [st]) if isinstance(x, dict)]


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def check_database_access(t: Template, served: dict, r: Report) -> None:
    """TLS to the database, and who logs in as whom."""
    path = t.path
    # TLS: the database refuses plaintext, every URL asks for TLS.
    for name, props in t.of_type("AWS::RDS::DBInstance"):
        pg = t.ref_target(props.get("DBParameterGroupName"))
        where = f"{path}: {name}"
        if r.check(pg is not None and t.type_of(pg) == "AWS::RDS::DBParameterGroup", where,
                   "needs a DB parameter group of this template (rds.force_ssl)"):
            force = t.values((t.props(pg).get("Parameters") or {}).get("rds.force_ssl"))
            r.check(all(str(v) == "1" for v in force), f"{path}: {pg}", f"rds.force_ssl must be 1 (got {force})")
    url_secrets = []
    for name, props in t.of_type("AWS::SecretsManager::Secret"):
        text = t.sub_text(props.get("SecretString"))
        if text.startswith(("postgres://", "postgresql://")):
            url_secrets.append(name)
            m = re.search(r"[?&]sslmode=([^&]*)", text)
            r.check(bool(m) and m.group(1) in SECURE_SSLMODES, f"{path}: {name}",
                    f"database URL must have sslmode={'|'.join(SECURE_SSLMODES)} (got {m.group(1) if m else 'none'})")
    r.check(bool(url_secrets), str(path), "no database URL secret (SecretString postgres://...)")

    # Master secret: the one RDS takes its MasterUserPassword from.
    masters: set[str] = set()
    master_users: set[str] = set()
    for _, props in t.of_type("AWS::RDS::DBInstance"):
        masters |= t.refs_in(props.get("MasterUserPassword"))
        user = props.get("MasterUsername")
        if isinstance(user, dict) and isinstance(user.get("Ref"), str):
            master_users.add(user["Ref"])
    r.check(bool(masters), str(path), "the database's MasterUserPassword must come from a secret of this template")

    tds = dict(t.of_type("AWS::ECS::TaskDefinition"))
    admin_tds = [n for n in tds if n not in served]
    api_password_secrets: set[str] = set()
    for td in served:
        for c in tds.get(td, {}).get("ContainerDefinitions") or []:
            cw = f"{path}: {td} container {c.get('Name')}"
            secret, _ = t.secret_source(container_secrets(c).get(DATABASE_URL_ENV))
            if not secret:
                continue
            text = t.sub_text(t.props(secret).get("SecretString"))
            used = t.refs_in(t.props(secret).get("SecretString"))
            r.check(not (used & masters), cw, f"the service's database URL ({secret}) must not use the RDS master password")
            r.check(not any("${" + u + "}" in text for u in master_users), cw,
                    f"the service's database URL ({secret}) must not log in as the RDS master user")
            api_password_secrets |= {u for u in used if t.type_of(u) == "AWS::SecretsManager::Secret"}
            r.check(bool(api_password_secrets), cw,
                    f"the service's database URL ({secret}) must take its password from a generated secret")
    r.check(bool(admin_tds), str(path), "no admin task definition (one not run by a service)")
    for td in admin_tds:
        for c in tds[td].get("ContainerDefinitions") or []:
            cw = f"{path}: {td} container {c.get('Name')}"
            secrets = container_secrets(c)
            url_secret, _ = t.secret_source(secrets.get(DATABASE_URL_ENV))
            if url_secret:
                r.check(bool(t.refs_in(t.props(url_secret).get("SecretString")) & masters), cw,
                        f"the admin task's database URL ({url_secret}) must be the master user's (migrate, api-user)")
            pw_secret, key = t.secret_source(secrets.get(API_DB_PASSWORD_ENV))
            if r.check(pw_secret is not None, cw, f"Secrets lacks {API_DB_PASSWORD_ENV} (for `trailloop api-user`)"):
                r.check(key == "password", cw, f"{API_DB_PASSWORD_ENV} must be the JSON key password of its secret (got {key!r})")
                r.check(pw_secret in api_password_secrets, cw,
                        f"{API_DB_PASSWORD_ENV} comes from {pw_secret}, not from the secret in the service's database URL "
                        f"({sorted(api_password_secrets)})")
                r.check(bool(t.props(pw_secret).get("GenerateSecretString")), cw,
                        f"{pw_secret} must be generated (GenerateSecretString)")

    # Execution roles: exactly the secrets their task's containers are given.
    for td, props in tds.items():
        where = f"{path}: {td}"
        needed = set()
        for c in props.get("ContainerDefinitions") or []:
            for vf in container_secrets(c).values():
                secret, _ = t.secret_source(vf)
                if secret:
                    needed.add(secret)
        role = t.ref_target(props.get("ExecutionRoleArn"))
        if not r.check(role is not None and t.type_of(role) == "AWS::IAM::Role", where,
                       "ExecutionRoleArn must be a role of this template"):
            continue
        readable: set[str] = set()
        wildcard = False
        for pol in t.props(role).get("Policies") or []:
            for st in statements(pol.get("PolicyDocument")):
                actions = [a.lower() for a in as_list(st.get("Action"))]
                if st.get("Effect") == "Allow" and any(a in ("secretsmanager:getsecretvalue", "secretsmanager:*", "*")
                                                       for a in actions):
                    for res in as_list(st.get("Resource")):
                        target = t.ref_target(res)
                        if target:
                            readable.add(target)
                        else:
                            wildcard = True
        r.check(not wildcard, f"{path}: {role}", "secretsmanager:GetSecretValue must name this template's secrets, no wildcard")
        r.check(readable == needed, f"{path}: {role}",
                f"execution role of {td} must read exactly its secrets {sorted(needed)} (reads {sorted(readable)})")


def check_service_settings(t: Template, served: dict, r: Report) -> None:
    path = t.path
    idle = [60]
    for _, props in t.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        attrs = {a.get("Key"): a.get("Value") for a in props.get("LoadBalancerAttributes") or []}
        idle = [as_int(v) or 60 for v in t.values(attrs.get("idle_timeout.timeout_seconds", 60))]
    tds = dict(t.of_type("AWS::ECS::TaskDefinition"))
    for td, targets in served.items():
        for c in tds.get(td, {}).get("ContainerDefinitions") or []:
            if c.get("Name") not in targets:
                continue
            cw = f"{path}: {td} container {c.get('Name')}"
            env = container_env(c)
            for key in SERVICE_ENV:
                r.check(key in env and env[key] not in (None, ""), cw, f"Environment lacks {key}")
            r.check(all(is_true(v) for v in t.values(env.get("TRAILLOOP__SERVER__BEHIND_PROXY"))), cw,
                    "TRAILLOOP__SERVER__BEHIND_PROXY must be true behind the load balancer")
            for keep in (as_int(v) for v in t.values(env.get("TRAILLOOP__SERVER__KEEP_ALIVE_SECS"))):
                r.check(keep is not None and all(keep > i for i in idle), cw,
                        f"TRAILLOOP__SERVER__KEEP_ALIVE_SECS ({keep}) must exceed the load balancer's idle timeout {idle}")
            target_port = targets.get(c.get("Name"))
            for mport in (as_int(v) for v in t.values(env.get("TRAILLOOP__SERVER__METRICS_PORT"))):
                r.check(mport not in (None, 0) and mport != target_port, cw,
                        f"TRAILLOOP__SERVER__METRICS_PORT ({mport}) must be set and differ from the load balancer's port {target_port}")
                if mport not in (None, 0):
                    check_metrics_port_private(t, td, mport, cw, r)
            secret, _ = t.secret_source(container_secrets(c).get(TOKEN_KEY_ENV))
            if r.check(secret is not None and t.type_of(secret) == "AWS::SecretsManager::Secret", cw,
                       f"Secrets lacks {TOKEN_KEY_ENV} from a Secrets Manager secret of this template"):
                sp = t.props(secret)
                r.check(bool(sp.get("KmsKeyId")), cw, f"secret {secret} is not encrypted with a KMS key (KmsKeyId)")
                gen = sp.get("GenerateSecretString") or {}
                lengths = [as_int(v) or 0 for v in t.values(gen.get("PasswordLength", 32))]
                r.check(bool(gen) and "SecretString" not in sp and min(lengths) >= MIN_TOKEN_KEY_CHARS, cw,
                        f"{TOKEN_KEY_ENV} must be a generated secret of {MIN_TOKEN_KEY_CHARS}+ characters ({secret})")


def check_edge(t: Template, r: Report) -> None:
    """Load balancer attributes, access logs bucket, /metrics rule, WAF."""
    path = t.path
    lbs = list(t.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"))
    for name, props in lbs:
        where = f"{path}: {name}"
        attrs = {a.get("Key"): a.get("Value") for a in props.get("LoadBalancerAttributes") or []}
        r.check(attrs.get("idle_timeout.timeout_seconds") == "60", where, "idle_timeout.timeout_seconds must be set to 60")
        r.check(is_true(attrs.get("routing.http.drop_invalid_header_fields.enabled")), where,
                "routing.http.drop_invalid_header_fields.enabled must be true")
        r.check(all(is_true(v) for v in t.values(attrs.get("deletion_protection.enabled"))), where,
                "deletion_protection.enabled must be true (by default)")
        r.check(is_true(attrs.get("access_logs.s3.enabled")), where, "access_logs.s3.enabled must be true")
        r.check(bool(attrs.get("access_logs.s3.prefix")), where, "access_logs.s3.prefix must be set")
        bucket = t.ref_target(attrs.get("access_logs.s3.bucket"))
        if r.check(bucket is not None and t.type_of(bucket) == "AWS::S3::Bucket", where,
                   "access_logs.s3.bucket must be an S3 bucket of this template"):
            check_log_bucket(t, name, bucket, str(t.sub_text(attrs.get("access_logs.s3.prefix"))), r)

        # WAF web ACL on this load balancer.
        acls = [t.ref_target(p.get("WebACLArn")) for _, p in t.of_type("AWS::WAFv2::WebACLAssociation")
                if t.ref_target(p.get("ResourceArn")) == name]
        if r.check(bool(acls) and all(a and t.type_of(a) == "AWS::WAFv2::WebACL" for a in acls), where,
                   "needs an AWS::WAFv2::WebACLAssociation with a web ACL of this template"):
            for acl in acls:
                check_web_acl(t, acl, r)

    # /metrics answered by the HTTPS listener itself.
    https = {n for n, p in t.of_type("AWS::ElasticLoadBalancingV2::Listener") if p.get("Protocol") == "HTTPS"}
    blocked: set[str] = set()
    for _, p in t.of_type("AWS::ElasticLoadBalancingV2::ListenerRule"):
        if t.ref_target(p.get("ListenerArn")) not in https:
            continue
        fixed = [a for a in p.get("Actions") or [] if a.get("Type") == "fixed-response"
                 and str((a.get("FixedResponseConfig") or {}).get("StatusCode")) == "404"]
        if not fixed:
            continue
        for cond in p.get("Conditions") or []:
            if cond.get("Field") == "path-pattern":
                blocked |= set((cond.get("PathPatternConfig") or {}).get("Values") or cond.get("Values") or [])
    r.check({"/metrics", "/metrics/*"} <= blocked, str(path),
            f"the HTTPS listener needs a rule answering /metrics and /metrics/* with a fixed 404 (has {sorted(blocked)})")


def check_log_bucket(t: Template, lb: str, bucket: str, prefix: str, r: Report) -> None:
    where = f"{t.path}: {bucket}"
    props = t.props(bucket)
    sse = [((rule.get("ServerSideEncryptionByDefault") or {}).get("SSEAlgorithm"))
           for rule in (props.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration") or []]
    r.check(sse == ["AES256"], where, f"ALB access logs need SSE-S3 (AES256) default encryption (got {sse})")
    pab = props.get("PublicAccessBlockConfiguration") or {}
    for key in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"):
        r.check(is_true(pab.get(key)), where, f"PublicAccessBlockConfiguration.{key} must be true")
    r.check((props.get("VersioningConfiguration") or {}).get("Status") == "Enabled", where, "versioning must be Enabled")
    rules = (props.get("LifecycleConfiguration") or {}).get("Rules") or []
    r.check(any(rule.get("Status") == "Enabled" and "ExpirationInDays" in rule for rule in rules), where,
            "needs an enabled lifecycle rule with ExpirationInDays")
    policies = [p.get("PolicyDocument") for _, p in t.of_type("AWS::S3::BucketPolicy") if t.ref_target(p.get("Bucket")) == bucket]
    sts = [st for doc in policies for st in statements(doc)]
    tls_only = any(st.get("Effect") == "Deny" and
                   str(((st.get("Condition") or {}).get("Bool") or {}).get("aws:SecureTransport")).lower() == "false"
                   for st in sts)
    r.check(tls_only, where, "bucket policy must deny requests without TLS (aws:SecureTransport false)")
    delivery = [st for st in sts if st.get("Effect") == "Allow"
                and ELB_LOG_DELIVERY in as_list((st.get("Principal") or {}).get("Service"))
                and "s3:PutObject" in as_list(st.get("Action"))]
    r.check(bool(delivery), where, f"bucket policy must let {ELB_LOG_DELIVERY} s3:PutObject")
    for st in delivery:
        res = " ".join(t.sub_text(x) for x in as_list(st.get("Resource")))
        r.check(f"/{prefix}/AWSLogs/" in res, where, f"log delivery must be limited to {prefix}/AWSLogs/ (got {res})")
    depends = as_list((t.resources.get(lb) or {}).get("DependsOn") or [])
    r.check(any(t.type_of(d) == "AWS::S3::BucketPolicy" for d in depends), f"{t.path}: {lb}",
            "the load balancer must DependsOn the access logs bucket policy (ELB checks it when logs are turned on)")


def check_web_acl(t: Template, acl: str, r: Report) -> None:
    where = f"{t.path}: {acl}"
    props = t.props(acl)
    r.check(props.get("Scope") == "REGIONAL", where, "web ACL of a load balancer must have Scope REGIONAL")
    r.check("Allow" in (props.get("DefaultAction") or {}), where, "DefaultAction must be Allow")
    r.check(is_true((props.get("VisibilityConfig") or {}).get("CloudWatchMetricsEnabled")), where,
            "VisibilityConfig.CloudWatchMetricsEnabled must be true")
    rules = props.get("Rules") or []
    for rule in rules:
        r.check(is_true((rule.get("VisibilityConfig") or {}).get("CloudWatchMetricsEnabled")), where,
                f"rule {rule.get('Name')}: VisibilityConfig.CloudWatchMetricsEnabled must be true")
    rate = [rule for rule in rules if "RateBasedStatement" in (rule.get("Statement") or {})]
    r.check(bool(rate) and all("Block" in (rule.get("Action") or {}) for rule in rate)
            and all(((rule["Statement"]["RateBasedStatement"]).get("AggregateKeyType")) == "IP" for rule in rate),
            where, "needs a rate-based rule per IP that blocks")
    groups = {}
    for rule in rules:
        mrg = (rule.get("Statement") or {}).get("ManagedRuleGroupStatement") or {}
        if mrg.get("VendorName") == "AWS":
            groups[mrg.get("Name")] = (rule, mrg)
    for name in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"):
        if r.check(name in groups, where, f"needs the AWS managed rule group {name}"):
            rule, _ = groups[name]
            r.check("None" in (rule.get("OverrideAction") or {}), where, f"{name} must have OverrideAction None (its rules block)")
    if "AWSManagedRulesCommonRuleSet" in groups:
        overrides = {o.get("Name"): o.get("ActionToUse") or {} for o in
                     groups["AWSManagedRulesCommonRuleSet"][1].get("RuleActionOverrides") or []}
        r.check("Count" in overrides.get("SizeRestrictions_BODY", {}), where,
                "AWSManagedRulesCommonRuleSet: SizeRestrictions_BODY must be overridden to Count (saved plans exceed 8 KB)")
        r.check(all("Count" in a for a in overrides.values()), where,
                "AWSManagedRulesCommonRuleSet: overrides may only relax rules to Count")


def check_operations(t: Template, r: Report) -> None:
    """Container Insights, the encrypted alarm topic, the ECR repository the images come from."""
    path = t.path
    for name, props in t.of_type("AWS::ECS::Cluster"):
        settings = {s.get("Name"): s.get("Value") for s in props.get("ClusterSettings") or []}
        r.check(settings.get("containerInsights") in ("enabled", "enhanced"), f"{path}: {name}",
                "ClusterSettings containerInsights must be enabled")

    alarm_topics: set[str] = set()
    for _, props in t.of_type("AWS::CloudWatch::Alarm"):
        for key in ("AlarmActions", "OKActions"):
            alarm_topics |= {x for x in (t.ref_target(a) for a in props.get(key) or []) if x}
    for topic in sorted(alarm_topics):
        where = f"{path}: {topic}"
        key = t.ref_target(t.props(topic).get("KmsMasterKeyId"))
        if not r.check(key is not None and t.type_of(key) == "AWS::KMS::Key", where,
                       "alarm topic must be encrypted with a customer-managed KMS key of this template "
                       "(CloudWatch cannot publish to a topic under alias/aws/sns)"):
            continue
        kp = t.props(key)
        r.check(is_true(kp.get("EnableKeyRotation")), f"{path}: {key}", "EnableKeyRotation must be true")
        allowed = [st for st in statements(kp.get("KeyPolicy")) if st.get("Effect") == "Allow"
                   and "cloudwatch.amazonaws.com" in as_list((st.get("Principal") or {}).get("Service"))]
        acts = {a for st in allowed for a in as_list(st.get("Action"))}
        r.check("kms:Decrypt" in acts and any(a.startswith("kms:GenerateDataKey") for a in acts), f"{path}: {key}",
                "key policy must let cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*")

    repos = list(t.of_type("AWS::ECR::Repository"))
    if not r.check(bool(repos), str(path), "no AWS::ECR::Repository"):
        return
    for name, props in repos:
        where = f"{path}: {name}"
        r.check(is_true((props.get("ImageScanningConfiguration") or {}).get("ScanOnPush")), where, "ScanOnPush must be true")
        r.check(props.get("ImageTagMutability") == "IMMUTABLE", where, "ImageTagMutability must be IMMUTABLE")
        r.check(bool(props.get("EncryptionConfiguration")), where, "needs an EncryptionConfiguration")
        r.check(bool((props.get("LifecyclePolicy") or {}).get("LifecyclePolicyText")), where, "needs a lifecycle policy")
    names = {n for n, _ in repos}
    for td, props in t.of_type("AWS::ECS::TaskDefinition"):
        for c in props.get("ContainerDefinitions") or []:
            r.check(bool(t.refs_in(c.get("Image")) & names), f"{path}: {td} container {c.get('Name')}",
                    "Image must come from the stack's ECR repository (RepositoryUri and a tag parameter)")


def ingress_rules(t: Template, group: str) -> list[dict]:
    """The ingress rules of a security group: its own and those of
    AWS::EC2::SecurityGroupIngress resources naming it."""
    rules = list(t.props(group).get("SecurityGroupIngress") or [])
    rules += [p for _, p in t.of_type("AWS::EC2::SecurityGroupIngress") if t.ref_target(p.get("GroupId")) == group]
    return rules


def admits(rule: dict, port: int) -> bool:
    if str(rule.get("IpProtocol")) in ("-1", "all"):
        return True
    low, high = as_int(rule.get("FromPort")), as_int(rule.get("ToPort"))
    return low is not None and high is not None and low <= port <= high


def check_metrics_port_private(t: Template, td: str, mport: int, where: str, r: Report) -> None:
    """/metrics on its own port is out of the public path: no target group sends
    traffic or health checks there, and no security group of the service admits it."""
    for name, tg in t.of_type("AWS::ElasticLoadBalancingV2::TargetGroup"):
        r.check(as_int(tg.get("Port")) != mport, where,
                f"target group {name} forwards to the metrics port {mport}")
        hc_port = str(tg.get("HealthCheckPort", "traffic-port"))
        r.check(hc_port == "traffic-port" or as_int(hc_port) != mport, where,
                f"target group {name} health-checks the metrics port {mport}")
    for sname, sprops in t.of_type("AWS::ECS::Service"):
        if t.ref_target(sprops.get("TaskDefinition")) != td:
            continue
        vpc = ((sprops.get("NetworkConfiguration") or {}).get("AwsvpcConfiguration") or {})
        for sg in (t.ref_target(g) for g in vpc.get("SecurityGroups") or []):
            if sg is None:
                continue
            open_rules = [rule.get("Description") or str(rule) for rule in ingress_rules(t, sg) if admits(rule, mport)]
            r.check(not open_rules, where,
                    f"security group {sg} of {sname} admits the metrics port {mport}: {open_rules}")


# ------------------------------------------------------------------------ Dockerfile
def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    lines, buf = [], ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if buf and line.lstrip().startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        parts = buf.strip().split(None, 1)
        lines.append((parts[0].upper(), parts[1] if len(parts) > 1 else ""))
        buf = ""
    return lines


def check_dockerfile(path: Path, r: Report) -> None:
    where = str(path)
    try:
        text = path.read_text()
        ins = dockerfile_instructions(text)
    except OSError as exc:
        r.check(False, where, f"cannot read: {exc}")
        return
    syntax = re.match(r"#\s*syntax=(\S+)", text)
    if syntax:
        r.check(bool(DIGEST_RE.search(syntax.group(1))), where,
                f"the syntax directive's frontend must be pinned by digest (got {syntax.group(1)})")
    args: dict[str, str] = {}
    stages: list[list[tuple[str, str]]] = []
    for op, rest in ins:
        if op == "ARG" and not stages and "=" in rest:
            k, v = rest.split("=", 1)
            args[k.strip()] = v.strip().strip('"')
        if op == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((op, rest))
    r.check(len(stages) >= 2, where, "must be a multi-stage build")
    if not stages:
        return
    final = stages[-1]
    base = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), final[0][1].split()[0])
    r.check(base.startswith("gcr.io/distroless/cc"), where, f"runtime stage must be distroless cc (got {base})")
    r.check((":" in base.rsplit("/", 1)[-1] and not base.endswith(":latest")) or "@sha256:" in base, where,
            f"runtime base image must be pinned (got {base})")
    users = [rest.strip() for op, rest in final if op == "USER"]
    r.check(bool(users) and users[-1].split(":")[0] not in ("root", "0"), where, "runtime stage must set a non-root USER")
    hcs = [rest for op, rest in final if op == "HEALTHCHECK"]
    r.check(bool(hcs) and "healthcheck" in hcs[-1] and "CMD [" in hcs[-1], where,
            "runtime stage needs HEALTHCHECK CMD [\"/app/trailloop\", \"healthcheck\"] (exec form, no shell)")
    eps = [rest for op, rest in final if op == "ENTRYPOINT"]
    r.check(bool(eps) and "trailloop" in eps[-1], where, "ENTRYPOINT must be the trailloop binary")
    r.check(any(op == "LABEL" for op, _ in final), where, "runtime stage has no LABEL")
    r.check(any(op == "RUN" and "--locked" in rest for s in stages[:-1] for op, rest in s), where,
            "the build must use --locked")

    # Every base image (not an earlier stage) pinned as tag@sha256:digest.
    stage_names: set[str] = set()
    for stage in stages:
        words = stage[0][1].split()
        words = [w for w in words if not w.startswith("--platform")]
        image = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), words[0])
        if image not in stage_names:
            name_part = image.split("@", 1)[0].rsplit("/", 1)[-1]
            r.check(bool(DIGEST_RE.search(image)) and ":" in name_part, where,
                    f"base image must be pinned as tag@sha256:<digest> (got {image})")
        if len(words) >= 3 and words[1].upper() == "AS":
            stage_names.add(words[2])

    # The RDS CA bundle: fetched by checksum, root-owned and readable, where the task
    # definitions point TRAILLOOP__DATABASE__CA_FILE.
    adds = []
    for op, rest in final:
        if op == "ADD":
            try:
                adds.append(shlex.split(rest))
            except ValueError:
                continue
    bundle = [a for a in adds if RDS_BUNDLE_URL in a]
    if r.check(bool(bundle), where, f"runtime stage must ADD {RDS_BUNDLE_URL}"):
        words = bundle[-1]
        flags = {w.split("=", 1)[0]: (w.split("=", 1) + [""])[1] for w in words if w.startswith("--")}
        r.check(bool(re.fullmatch(r"sha256:[0-9a-f]{64}", flags.get("--checksum", ""))), where,
                "the RDS CA bundle must be added with --checksum=sha256:<hex>")
        r.check(words[-1] == CA_FILE, where, f"the RDS CA bundle must be added as {CA_FILE} (got {words[-1]})")
        r.check(flags.get("--chown", "0:0").split(":")[0] in ("0", "root"), where, "the RDS CA bundle must be root-owned")
        mode = flags.get("--chmod")
        r.check(mode is not None and bool(re.fullmatch(r"0?[0-7]{3}", mode)) and int(mode, 8) & 0o004 and not int(mode, 8) & 0o022,
                where, f"the RDS CA bundle needs --chmod readable by all, writable by none but root (got {mode})")

    # /metrics on a port of its own, exposed, not the API's.
    envs: dict[str, str] = {}
    for op, rest in final:
        if op == "ENV":
            try:
                words = shlex.split(rest)
            except ValueError:
                continue
            envs.update(w.split("=", 1) for w in words if "=" in w)
    api_port = as_int(envs.get("TRAILLOOP__SERVER__PORT", 8080))
    mport = as_int(envs.get("TRAILLOOP__SERVER__METRICS_PORT"))
    exposed = {as_int(p.split("/")[0]) for op, rest in final if op == "EXPOSE" for p in rest.split()}
    if r.check(mport not in (None, 0) and mport != api_port, where,
               f"runtime stage must set ENV TRAILLOOP__SERVER__METRICS_PORT to a port other than the API's {api_port} "
               f"(got {envs.get('TRAILLOOP__SERVER__METRICS_PORT')!r})"):
        r.check(mport in exposed and api_port in exposed, where,
                f"runtime stage must EXPOSE the API port {api_port} and the metrics port {mport} (exposes {sorted(p for p in exposed if p)})")

    # The builder refuses a binary that needs libraries the distroless image lacks.
    r.check(any(op == "RUN" and "readelf -d" in rest for s in stages[:-1] for op, rest in s), where,
            "the builder must check the binary's shared libraries (readelf -d)")


# ---------------------------------------------------------------------- compose file
def check_compose(path: Path, r: Report) -> None:
    import yaml

    where = str(path)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        r.check(False, where, f"cannot load: {exc}")
        return
    services = data.get("services") or {}
    for name in ("db", "migrate", "import", "api", "backup"):
        r.check(name in services, where, f"no service {name}")
    if not all(n in services for n in ("db", "migrate", "import", "api", "backup")):
        return

    def deps(svc: str) -> dict:
        d = services[svc].get("depends_on") or {}
        return d if isinstance(d, dict) else {k: {} for k in d}

    db = services["db"]
    r.check(str(db.get("image", "")).startswith("postgis/postgis:") and not str(db.get("image")).endswith(":latest"),
            where, "db must use a pinned postgis/postgis image")
    r.check("healthcheck" in db, where, "db needs a health check")
    named = set((data.get("volumes") or {}).keys())
    r.check(any(str(v).split(":")[0] in named for v in db.get("volumes") or []), where, "db needs a named volume")

    images = {services[s].get("image") for s in ("migrate", "import", "api")}
    r.check(len(images) == 1 and None not in images, where, "migrate, import and api must use the same image")
    r.check((deps("migrate").get("db") or {}).get("condition") == "service_healthy", where,
            "migrate must wait for db to be healthy")
    r.check((deps("import").get("migrate") or {}).get("condition") == "service_completed_successfully", where,
            "import must wait for migrate to complete successfully")
    r.check((deps("api").get("import") or {}).get("condition") == "service_completed_successfully", where,
            "api must wait for import to complete successfully")

    def command(svc: str) -> list[str]:
        c = services[svc].get("command") or []
        return shlex.split(c) if isinstance(c, str) else [str(x) for x in c]

    r.check(command("migrate")[:1] == ["migrate"], where, "migrate must run `trailloop migrate`")
    imp = command("import")
    r.check(imp[:1] == ["import"] and "--region" in imp and "--pbf" in imp, where,
            "import must run `trailloop import --region ... --pbf ...`")
    r.check(command("api")[:1] == ["serve"], where, "api must run `trailloop serve`")
    r.check(any(str(p).split(":")[-1] == "8080" for p in services["api"].get("ports") or []), where,
            "api must publish container port 8080")
    # /metrics on its own port, published on the host's loopback at most.
    api_env = services["api"].get("environment") or {}
    if isinstance(api_env, list):
        api_env = dict(str(e).split("=", 1) for e in api_env if "=" in str(e))
    mport = as_int(api_env.get("TRAILLOOP__SERVER__METRICS_PORT"))
    api_port = as_int(api_env.get("TRAILLOOP__SERVER__PORT", 8080))
    if r.check(mport not in (None, 0) and mport != api_port, where,
               f"api must set TRAILLOOP__SERVER__METRICS_PORT to a port other than {api_port} "
               f"(got {api_env.get('TRAILLOOP__SERVER__METRICS_PORT')!r})"):
        for p in services["api"].get("ports") or []:
            if isinstance(p, dict):
                container, host_ip = as_int(p.get("target")), str(p.get("host_ip", ""))
            else:
                parts = re.sub(r"\$\{[^}]*\}", "X", str(p)).split("/")[0].split(":")
                container, host_ip = as_int(parts[-1]), (parts[0] if len(parts) == 3 else "")
            if container == mport:
                r.check(host_ip in ("127.0.0.1", "::1", "[::1]", "localhost"), where,
                        f"api publishes the metrics port {mport} beyond the host's loopback ({p})")

    backup = services["backup"]
    env = backup.get("environment") or {}
    env_text = str(env) + str(backup.get("command")) + str(backup.get("entrypoint"))
    r.check("BACKUP_INTERVAL_HOURS" in env_text and "${BACKUP_INTERVAL_HOURS:-48}" in str(env), where,
            "backup interval must be the BACKUP_INTERVAL_HOURS setting (default 48)")
    r.check("pg_dump" in env_text, where, "backup must run pg_dump")
    r.check(any(str(v).split(":")[0] in named for v in backup.get("volumes") or []), where,
            "backup must write to a named volume")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dockerfile", type=Path)
    ap.add_argument("--compose", type=Path)
    ap.add_argument("templates", nargs="*", type=Path)
    opts = ap.parse_args(argv)
    r = Report()
    if opts.dockerfile:
        check_dockerfile(opts.dockerfile, r)
    if opts.compose:
        check_compose(opts.compose, r)
    for tpl in opts.templates:
        check_template(tpl, r)
    if r.problems:
        for p in r.problems:
            print(f"    missing/wrong: {p}", file=sys.stderr)
        print(f"    {len(r.problems)} of {r.checked} contract checks failed", file=sys.stderr)
        return 1
    print(f"    {r.checked} contract checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
