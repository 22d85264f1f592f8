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
  * the service, the load balancer and the database carry the settings the deployment
    relies on (circuit breaker with rollback, HTTPS, /readyz, encrypted RDS, ...).
Dockerfile and compose file: multi-stage distroless non-root image with a HEALTHCHECK;
PostGIS, migrate -> import -> api ordering, backup interval setting.

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
        ins = dockerfile_instructions(path.read_text())
    except OSError as exc:
        r.check(False, where, f"cannot read: {exc}")
        return
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
