"""deploy/: the HAProxy configuration (checked by Debian's haproxy), deploy/local.sh run for real (N processes
behind HAProxy, affinity, a replica started again, everything stopped on SIGTERM or Ctrl-C), and the compose and
Kubernetes files (parsed, and checked against each other and the app)."""
from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.local_sh import COOKIE, HEALTH, LOCAL_SH, ROOT, Local, alive, answers, get, haproxy, wait_until

DEPLOY = ROOT / "deploy"
TUNNEL_S = 8 * 3600          # an idle websocket survives a school day, in HAProxy and in the ingress alike


# --- HAProxy's configuration ----------------------------------------------------------------------------------

def test_haproxy_accepts_the_compose_configuration():
    check = subprocess.run([haproxy(), "-c", "-f", DEPLOY / "haproxy.cfg", "-f", DEPLOY / "haproxy-compose.cfg"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def _haproxy_seconds(name: str) -> float:
    """A ``timeout <name>`` of deploy/haproxy.cfg, in seconds."""
    found = re.search(rf"^\s*timeout {name}\s+(\d+)(ms|s|m|h)\b", (DEPLOY / "haproxy.cfg").read_text(), re.M)
    assert found, f"deploy/haproxy.cfg sets no 'timeout {name}'"
    return int(found[1]) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[found[2]]


def test_haproxy_keeps_idle_websockets_and_waits_for_a_busy_process():
    assert _haproxy_seconds("tunnel") == TUNNEL_S
    assert _haproxy_seconds("client-fin") <= 60 and _haproxy_seconds("server-fin") <= 60
    assert _haproxy_seconds("check") >= 30          # a process serving a class's first visits answers late


# --- deploy/local.sh ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "message"), [(["0", "8080"], "N must be"), (["2", "http"], "PORT must be"),
                                               (["2"], "usage")])
def test_local_sh_refuses_bad_arguments(args, message):
    run = subprocess.run(["bash", LOCAL_SH, *args], capture_output=True, text=True, timeout=30)
    assert run.returncode == 1 and message in run.stderr


@pytest.fixture
def local(tmp_path) -> Iterator[Local]:
    haproxy()
    running = Local(2, tmp_path / "run", tmp_path / "local.log")
    yield running
    running.stop()


def _everything_stopped(local: Local, pids: list[int]) -> None:
    assert local.process.wait(timeout=40) in (130, 143), local.output()
    assert [pid for pid in pids if alive(pid)] == []
    left = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    ports = [str(local.port)] + [str(local.app_port(i)) for i in range(1, local.n + 1)]
    assert [line for line in left.splitlines() if str(local.run_dir) in line or
            any(f"--server.port={port}" in line for port in ports)] == []
    assert not answers(local.url + HEALTH)


def test_local_sh_balances_keeps_affinity_restarts_a_replica_and_stops_everything_on_sigterm(local):
    for i in (1, 2):
        assert answers(f"http://127.0.0.1:{local.app_port(i)}{HEALTH}")
    # Two browsers without a cookie: one per process (leastconn, round robin between equals), each pinned by a
    # cookie that HAProxy keeps to itself (HttpOnly, SameSite=Lax).
    cookies = [get(local.url + "/")[1] for _ in range(2)]
    assert sorted(c.split(";")[0] for c in cookies) == [f"{COOKIE}=app1", f"{COOKIE}=app2"]
    assert all("HttpOnly" in c and "SameSite=Lax" in c for c in cookies)
    assert get(local.url + "/", f"{COOKIE}=app2") == (200, None)        # a pinned browser keeps its process

    first = local.app_pid(2)
    os.kill(first, signal.SIGKILL)                                         # app2 crashes
    wait_until(lambda: not alive(first), 10, "app2 to exit")
    status, cookie = get(local.url + "/", f"{COOKIE}=app2")              # its browsers are sent to app1 ...
    assert status == 200 and cookie.startswith(f"{COOKIE}=app1;")
    wait_until(lambda: local.app_pid(2) != first and answers(f"http://127.0.0.1:{local.app_port(2)}{HEALTH}"), 120,
          "local.sh to start app2 again")                                 # ... and app2 comes back on its port
    assert "app2 exited" in local.output()

    pids = local.pids()
    assert len(pids) == 3                                                  # app1, app2, haproxy
    local.process.send_signal(signal.SIGTERM)
    _everything_stopped(local, pids)


def test_local_sh_stops_everything_on_ctrl_c(local):
    pids = local.pids()
    assert len(pids) == 3 and all(alive(pid) for pid in pids)
    os.killpg(local.process.pid, signal.SIGINT)                            # what Ctrl-C in its terminal sends
    _everything_stopped(local, pids)


# --- compose.yaml and the Kubernetes manifests ----------------------------------------------------------------

def _yaml(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def test_compose_runs_replicas_of_the_dockerfile_behindhaproxy():
    (compose,) = _yaml(DEPLOY / "compose.yaml")
    app, balancer = compose["services"]["app"], compose["services"]["balancer"]
    assert (DEPLOY / app["build"]["context"] / app["build"]["dockerfile"]).resolve() == ROOT / "Dockerfile"
    assert "ports" not in app and "container_name" not in app          # replicas: reached through the balancer only
    assert str(app["deploy"]["replicas"]).startswith("${OPTISCOPE_REPLICAS")
    mounts = dict(volume.removesuffix(":ro").split(":") for volume in balancer["volumes"])
    assert {(DEPLOY / source).resolve() for source in mounts} == {DEPLOY / "haproxy.cfg",
                                                                  DEPLOY / "haproxy-compose.cfg"}
    configs = [arg for flag, arg in zip(balancer["command"], balancer["command"][1:], strict=False) if flag == "-f"]
    assert configs == [mounts["./haproxy.cfg"], mounts["./haproxy-compose.cfg"]]   # the order haproxy -c checked
    assert balancer["ports"] == ["${OPTISCOPE_PORT:-8080}:8080"]
    assert balancer["environment"]["OPTISCOPE_BIND"] == ":8080"
    assert "app:8501" in (DEPLOY / "haproxy-compose.cfg").read_text()             # the service and its port
    assert "EXPOSE 8501" in (ROOT / "Dockerfile").read_text()


def _manifests() -> dict[str, dict]:
    kustomization = _yaml(DEPLOY / "k8s" / "kustomization.yaml")[0]
    docs = [doc for name in kustomization["resources"] for doc in _yaml(DEPLOY / "k8s" / name)]
    return {doc["kind"]: doc for doc in docs}


def test_kubernetes_manifests_fit_together():
    manifests = _manifests()
    assert set(manifests) == {"Deployment", "Service", "Ingress"}
    deployment, service, ingress = manifests["Deployment"], manifests["Service"], manifests["Ingress"]
    pod = deployment["spec"]["template"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    (container,) = pod["spec"]["containers"]
    (port,) = container["ports"]
    assert port["containerPort"] == 8501 and service["spec"]["ports"][0]["targetPort"] == port["name"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": HEALTH, "port": port["name"]}
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": service["metadata"]["name"], "port": {"name": service["spec"]["ports"][0]["name"]}}


def test_kubernetes_pods_request_what_a_process_uses_and_wait_for_a_busy_one():
    container = _manifests()["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    resources = container["resources"]
    assert resources["requests"]["cpu"] == "1"
    assert resources["requests"]["memory"] == "384Mi" and resources["limits"]["memory"] == "1Gi"
    for probe in ("readinessProbe", "livenessProbe"):                      # as HAProxy's "timeout check"
        assert container[probe]["timeoutSeconds"] >= _haproxy_seconds("check")


def test_the_ingress_keeps_a_browser_on_its_pod_and_an_idle_websocket_open():
    annotations = _manifests()["Ingress"]["metadata"]["annotations"]
    nginx = {key.removeprefix("nginx.ingress.kubernetes.io/"): value for key, value in annotations.items()}
    assert nginx["affinity"] == "cookie" and nginx["affinity-mode"] == "persistent"
    assert nginx["session-cookie-name"] == COOKIE and nginx["session-cookie-change-on-failure"] == "true"
    assert int(nginx["proxy-read-timeout"]) == int(nginx["proxy-send-timeout"]) == TUNNEL_S
