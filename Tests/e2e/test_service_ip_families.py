"""Service ClusterIPs per IP family, as kube-apiserver allocates them (`ipFamilyPolicy`,
`ipFamilies`, `clusterIPs`), on single-stack and dual-stack `--service-cidr`, through kubectl."""
import ipaddress
import json

import pytest

DUAL = "10.96.0.0/16,fd00:10:96::/108"


def apply(server, manifest, check=True):
    return server.kubectl("apply", "-f", "-", input=manifest, check=check)


def service(name, policy=None, families=None, cluster_ips=None, headless=False, selector=True):
    spec = ["ports: [{port: 80}]"]
    if selector:
        spec.append("selector: {app: " + name + "}")
    if policy:
        spec.append(f"ipFamilyPolicy: {policy}")
    if families:
        spec.append(f"ipFamilies: [{', '.join(families)}]")
    if cluster_ips:
        # As upstream requires: clusterIP set, and clusterIPs[0] the same.
        spec.append(f"clusterIP: {cluster_ips[0]}")
        spec.append(f"clusterIPs: [{', '.join(cluster_ips)}]")
    if headless:
        spec.append("clusterIP: None")
    body = "\n".join("  " + line for line in spec)
    return f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: default}}\nspec:\n{body}\n"


def spec_of(server, name):
    return json.loads(server.kubectl("get", "svc", name, "-o", "json"))["spec"]


def family(ip):
    return "IPv6" if ipaddress.ip_address(ip).version == 6 else "IPv4"


def test_single_stack_cluster_keeps_services_single_stack(server):
    apply(server, service("plain"))
    spec = spec_of(server, "plain")
    assert spec["ipFamilyPolicy"] == "SingleStack" and spec["ipFamilies"] == ["IPv4"]
    assert spec["clusterIPs"] == [spec["clusterIP"]] and family(spec["clusterIP"]) == "IPv4"
    # PreferDualStack degrades to the one family the cluster has.
    apply(server, service("prefer", policy="PreferDualStack"))
    spec = spec_of(server, "prefer")
    assert spec["ipFamilyPolicy"] == "PreferDualStack" and spec["ipFamilies"] == ["IPv4"] and len(spec["clusterIPs"]) == 1
    # RequireDualStack and an IPv6 family are refused with upstream's field errors; nothing is stored.
    p = apply(server, service("require", policy="RequireDualStack"), check=False)
    assert p.returncode != 0 and "this cluster is not configured for dual-stack services" in p.stderr
    p = apply(server, service("six", families=["IPv6"]), check=False)
    assert p.returncode != 0 and 'spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster' in p.stderr
    p = server.kubectl("get", "svc", "require", "six", check=False)
    assert p.returncode != 0 and p.stdout.strip() == ""


def test_dual_stack_allocation_follows_policy_and_families(make_server):
    server = make_server("--service-cidr", DUAL)
    apply(server, service("plain"))
    assert spec_of(server, "plain")["ipFamilies"] == ["IPv4"]

    apply(server, service("prefer", policy="PreferDualStack"))
    spec = spec_of(server, "prefer")
    assert spec["ipFamilies"] == ["IPv4", "IPv6"]
    assert [family(ip) for ip in spec["clusterIPs"]] == ["IPv4", "IPv6"]
    assert spec["clusterIP"] == spec["clusterIPs"][0]
    assert ipaddress.ip_address(spec["clusterIPs"][1]) in ipaddress.ip_network("fd00:10:96::/108")

    apply(server, service("v6first", policy="RequireDualStack", families=["IPv6", "IPv4"]))
    assert [family(ip) for ip in spec_of(server, "v6first")["clusterIPs"]] == ["IPv6", "IPv4"]

    apply(server, service("only6", families=["IPv6"]))
    spec = spec_of(server, "only6")
    assert spec["ipFamilyPolicy"] == "SingleStack" and [family(ip) for ip in spec["clusterIPs"]] == ["IPv6"]

    # Requested addresses: families follow them; a taken one or one outside the range is refused.
    apply(server, service("pinned", policy="RequireDualStack", cluster_ips=["fd00:10:96::99", "10.96.0.99"]))
    spec = spec_of(server, "pinned")
    assert spec["clusterIPs"] == ["fd00:10:96::99", "10.96.0.99"] and spec["ipFamilies"] == ["IPv6", "IPv4"]
    p = apply(server, service("again", policy="PreferDualStack", cluster_ips=["10.96.0.98", "fd00:10:96::99"]), check=False)
    assert p.returncode != 0 and "provided IP is already allocated" in p.stderr
    p = apply(server, service("outside", families=["IPv6"], cluster_ips=["fd00:99::1"]), check=False)
    assert p.returncode != 0 and "is not in the valid range" in p.stderr
    # ... and what a refused request took is free again.
    apply(server, service("taker", cluster_ips=["10.96.0.98"]))

    # Two families need a dual-stack policy; two addresses of one family are refused.
    p = apply(server, service("two", families=["IPv4", "IPv6"]), check=False)
    assert p.returncode != 0 and "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified" in p.stderr
    p = apply(server, service("same", policy="PreferDualStack", cluster_ips=["10.96.0.50", "10.96.0.51"]), check=False)
    assert p.returncode != 0 and "may specify no more than one IP for each IP family" in p.stderr
    p = apply(server, service("mismatch", policy="PreferDualStack", families=["IPv6", "IPv4"],
                              cluster_ips=["10.96.0.52"]), check=False)
    assert p.returncode != 0 and "expected an IPv6 value as indicated by `ipFamilies[0]`" in p.stderr
    # clusterIPs alone is refused, as upstream does.
    p = server.kubectl("apply", "-f", "-", check=False, input=(
        "apiVersion: v1\nkind: Service\nmetadata: {name: ipsonly, namespace: default}\n"
        "spec: {ports: [{port: 80}], clusterIPs: [10.96.0.53]}\n"))
    assert p.returncode != 0 and "must be empty when `clusterIP` is not specified" in p.stderr

    # Headless: families per policy, no address; without a selector RequireDualStack and every
    # family the cluster has.
    apply(server, service("hl", policy="PreferDualStack", headless=True))
    spec = spec_of(server, "hl")
    assert spec["clusterIPs"] == ["None"] and spec["ipFamilies"] == ["IPv4", "IPv6"]
    apply(server, service("hl-plain", headless=True))
    assert spec_of(server, "hl-plain")["ipFamilyPolicy"] == "SingleStack"
    apply(server, service("hl-noselector", headless=True, selector=False))
    spec = spec_of(server, "hl-noselector")
    assert spec["ipFamilyPolicy"] == "RequireDualStack" and spec["ipFamilies"] == ["IPv4", "IPv6"]


def test_policy_upgrade_and_downgrade_and_release(make_server):
    server = make_server("--service-cidr", DUAL)
    apply(server, service("web"))
    first = spec_of(server, "web")["clusterIPs"]
    assert len(first) == 1
    # Raised to PreferDualStack: the primary stays, an IPv6 address is added.
    server.kubectl("patch", "svc", "web", "-p", '{"spec": {"ipFamilyPolicy": "PreferDualStack"}}')
    spec = spec_of(server, "web")
    assert spec["clusterIPs"][0] == first[0] and family(spec["clusterIPs"][1]) == "IPv6"
    assert spec["ipFamilies"] == ["IPv4", "IPv6"]
    v6 = spec["clusterIPs"][1]
    # A PUT of the plain manifest (no allocated values, no families) keeps both addresses.
    server.kubectl("replace", "-f", "-", input=service("web"))
    assert spec_of(server, "web")["clusterIPs"] == spec["clusterIPs"]
    # Neither address may change; the second goes only with SingleStack.
    p = server.kubectl("patch", "svc", "web", "-p", '{"spec": {"clusterIP": "10.96.0.77", "clusterIPs": ["10.96.0.77"]}}', check=False)
    assert p.returncode != 0 and "may not change once set" in p.stderr
    p = server.kubectl("patch", "svc", "web", "-p", json.dumps({"spec": {"clusterIPs": [first[0], "fd00:10:96::77"]}}), check=False)
    assert p.returncode != 0 and "spec.clusterIPs[1]" in p.stderr and "may not change once set" in p.stderr
    p = server.kubectl("patch", "svc", "web", "--type", "merge", "-p", json.dumps({"spec": {"clusterIPs": [first[0]]}}), check=False)
    assert p.returncode != 0 and "must be 'SingleStack' to release the secondary cluster IP" in p.stderr
    # Lowered to SingleStack, nothing else said (the documented downgrade): its address goes back.
    server.kubectl("patch", "svc", "web", "-p", '{"spec": {"ipFamilyPolicy": "SingleStack"}}')
    spec = spec_of(server, "web")
    assert spec["clusterIPs"] == first and spec["ipFamilies"] == ["IPv4"]
    apply(server, service("reuse6", families=["IPv6"], cluster_ips=[v6]))
    # Deleting gives every address back; a restart remembers what is held.
    server.kubectl("delete", "svc", "web")
    apply(server, service("reuse4", cluster_ips=[first[0]]))
    server.kill()
    server.start()
    p = apply(server, service("clash", families=["IPv6"], cluster_ips=[v6]), check=False)
    assert p.returncode != 0 and "provided IP is already allocated" in p.stderr


def test_ipv6_primary_cluster(make_server):
    server = make_server("--service-cidr", "fd00:10:96::/108,10.96.0.0/16")
    apply(server, service("plain"))
    spec = spec_of(server, "plain")
    assert spec["ipFamilies"] == ["IPv6"] and family(spec["clusterIP"]) == "IPv6"
    kubernetes = spec_of(server, "kubernetes")
    assert kubernetes["clusterIP"] == "fd00:10:96::1"


@pytest.mark.parametrize("flag", ["10.96.0.0/16,10.97.0.0/16", "fd00::/64", "10.0.0.0/8",
                                  "10.96.0.0/12,fd00::/108,fd01::/108", "bogus"])
def test_bad_service_cidr_is_refused_at_start(make_server, flag):
    with pytest.raises(RuntimeError, match="invalid --service-cidr"):
        make_server("--service-cidr", flag)


def test_prefer_dual_stack_is_not_reevaluated_by_unrelated_updates(make_server):
    # Made on a single-stack cluster, a PreferDualStack Service keeps its one address when the
    # cluster becomes dual-stack and someone changes a label (upstream's rule); asking again
    # for the policy's families is what upgrades it.
    server = make_server()
    apply(server, service("pref", policy="PreferDualStack"))
    before = spec_of(server, "pref")["clusterIPs"]
    assert len(before) == 1
    server.kill()
    server.extra_args = ["--service-cidr", "10.96.0.0/12,fd00:10:96::/108"]
    server.start()
    server.kubectl("label", "svc", "pref", "team=a")
    assert spec_of(server, "pref")["clusterIPs"] == before
    server.kubectl("patch", "svc", "pref", "--type", "merge", "-p", '{"spec": {"ipFamilies": ["IPv4", "IPv6"]}}')
    after = spec_of(server, "pref")["clusterIPs"]
    assert after[0] == before[0] and len(after) == 2 and family(after[1]) == "IPv6"
