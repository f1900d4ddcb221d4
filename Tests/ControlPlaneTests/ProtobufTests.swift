import Foundation
import XCTest
@testable import ControlPlane
import KubeAPI

/// The Kubernetes protobuf body codec against the bytes the real kubectl v1.32 sends.
///
/// Three sources of truth, strongest first: kubectl run live against a throwaway capture
/// server, compared with what the same kubectl prints as JSON (`--dry-run=client -o json`);
/// bodies captured that way once and kept below (so the decoder is checked where kubectl or
/// python3 is missing); hand-built messages for the edges kubectl never produces.
final class ProtobufTests: XCTestCase {

    // MARK: - Bodies kubectl v1.32 sent (captured once with the live harness below)

    /// `kubectl create configmap cfg --from-literal=a=b --from-literal=empty= --from-file=blob=<00 01 fe ff "bin">`
    static let recordedConfigMap = """
    azhzAAoPCgJ2MRIJQ29uZmlnTWFwEjkKEwoDY2ZnEgAaACIAKgAyADgAQgASBgoBYRIBYhIJCgVlbXB0eRIAGg8KBGJsb2ISBwAB
    /v9iaW4aACIA
    """
    /// `kubectl create secret generic sec --from-literal=password=s3cr3t --from-literal=user=admin --type=Opaque`
    static let recordedSecret = """
    azhzAAoMCgJ2MRIGU2VjcmV0EkAKEwoDc2VjEgAaACIAKgAyADgAQgASEgoIcGFzc3dvcmQSBnMzY3IzdBINCgR1c2VyEgVhZG1p
    bhoGT3BhcXVlGgAiAA==
    """
    /// `kubectl create deployment web --image=busybox --replicas=2 --port=8080 -- sleep 3600`
    static let recordedDeployment = """
    azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EsoBCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEpgBCAISDAoKCgNh
    cHASA3dlYhp+ChwKABIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEl4SQAoHYnVzeWJveBIHYnVzeWJveBoFc2xlZXAaBDM2MDAq
    ADILCgAQABiQPyIAKgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAIgIKACgAOAAaDAgAEAAY
    ACAAKAA4ABoAIgA=
    """
    /// `kubectl create service nodeport web --tcp=80:8080 --node-port=30080`
    static let recordedService = """
    azhzAAoNCgJ2MRIHU2VydmljZRJqCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEkMKHQoHODAtODA4MBIDVENQGFAi
    BwgAEJA/GgAogOsBEgoKA2FwcBIDd2ViGgAiCE5vZGVQb3J0OgBCAFIAWgBgAGgAGgIKABoAIgA=
    """
    /// `kubectl debug rich --copy-to=rich2 --image=busybox --container=dbg --keep-*=true …` with
    /// `richPod` served as the Pod to copy: kubectl re-encodes nearly the whole PodSpec.
    static let recordedRichPodCopy = """
    azhzAAoJCgJ2MRIDUG9kEq8XCkEKBXJpY2gyEgAaB2RlZmF1bHQiACoAMgA4AEIAWgsKA2FwcBIEcmljaFoLCgR0aWVyEgN3ZWJi
    CQoEbm90ZRIBeBLXFgoYCgJlZBISEhAKBk1lbW9yeRIGCgQ2NE1pCh0KAmhwEhcKFQoIL3Zhci9sb2cSCURpcmVjdG9yeQokCgJj
    bRIemgEbCgUKA2NmZxINCgFhEgVhLnR4dBikAxiAAyABChEKA3NlYxIKMggKAXMYgAIgAAoRCgNwdmMSClIICgRkYXRhEAEKTwoE
    ZGFwaRJHggFECh8KBmxhYmVscxIVCgJ2MRIPbWV0YWRhdGEubGFiZWxzCh4KA2NwdRoXCgNhcHASCmxpbWl0cy5jcHUaBAoCMW0Q
    pAMKggEKBHByb2oSetIBdwoQCg4KBAoCczISBgoBaxIBcAoKGggKBAoCYzIgAQoaEhgKFgoBbhIRCgASDW1ldGFkYXRhLm5hbWUK
    ESIPCgNhcGkQkBwaBXRva2VuCiUqIxINZXhhbXBsZS5jb20vcxoICgYKAXQSATEiBmNhLnBlbSgBEKQDCh8KA25mcxIYOhYKCDEw
    LjAuMC4xEggvZXhwb3J0cxgBCi8KA2NzaRIo4gElCg1kLmV4YW1wbGUuY29tEAEaBGV4dDQiBgoBaxIBdioECgJucwrCAwoDZXBo
    EroD6gG2AwqzAwr0AQoEdG1wbBIEZ2VuLRoHZGVmYXVsdCICL3gqCHRtcGwtdWlkMgE5OAJCCAj/gMisBhAASggIwMqGvgYQAFAA
    WgYKAWUSATFiBQoBaxIAahsKA1BvZBoFb3duZXIiBW8tdWlkKgJ2MTAAOAFyHGt1YmVybmV0ZXMuaW8vcHZjLXByb3RlY3Rpb25y
    AIoBZwoHa3ViZWN0bBIGVXBkYXRlGgJ2MSIICL+tla8GEAAyCEZpZWxkc1YxOjQKMnsiZjptZXRhZGF0YSI6IHsiZjpsYWJlbHMi
    OiB7Ii4iOiB7fSwgImY6ZSI6IHt9fX19QgZzdGF0dXMSuQEKDVJlYWRXcml0ZU9uY2USEhIQCgdzdG9yYWdlEgUKAzFHaRoEcHYt
    MSIeCgcKAnB2EgF4EhMKBHRpZXISBU5vdEluGgRjb2xkKgRmYXN0MgpGaWxlc3lzdGVtOi8KF3NuYXBzaG90LnN0b3JhZ2Uuazhz
    LmlvEg5Wb2x1bWVTbmFwc2hvdBoEc25hcEIlCgASFVBlcnNpc3RlbnRWb2x1bWVDbGFpbRoDc3JjIgVvdGhlckoEZ29sZAonCgNp
    bWcSIPIBHQoNcXVheS5pby94L3k6MRIMSWZOb3RQcmVzZW50EpMGCgNhcHASCm5naW54OjEuMjcaBW5naW54IgItZyILZGFlbW9u
    IG9mZjsqBC9zcnYyEgoEaHR0cBAAGJA/IgNUQ1AqADIaCgNkbnMQ6SkYNSIDVURQKgkxMjcuMC4wLjE6BgoBQRIBMToJCgVFTVBU
    WRIAOh4KA1BPRBIAGhUKEwoCdjESDW1ldGFkYXRhLm5hbWU6JgoDTUVNEgAaHRIbCgNhcHASDWxpbWl0cy5tZW1vcnkaBQoDMU1p
    OhUKAUsSABoOGgwKBQoDY2ZnEgFrGAA6EgoBUxIAGgsiCQoDCgFzEgJwd0JOCg0KA2NwdRIGCgQ1MDBtChEKBm1lbW9yeRIHCgUx
    MjhNaRINCgNjcHUSBgoEMjUwbRIQCgZtZW1vcnkSBgoENjRNaRoJCgNncHUSAnIxShIKAmVkEAAaBi9jYWNoZSIAMgBKGQoCY20Q
    ARoIL2V0Yy9jZmciBWEudHh0MgBKKAoCaHAQABoFL2xvZ3MiACoPSG9zdFRvQ29udGFpbmVyMgYkKFBPRClSRQo3EjUKCC9oZWFs
    dGh6EgoIARAAGgRodHRwGglsb2NhbGhvc3QiBEhUVFAqDAoHWC1Qcm9iZRIBMRADGAIgCigBMAM4BVoZCg0aCwoHCAAQkD8aABIA
    EAAYACAFKAAwAGIXCg8KDQoEZWNobwoFc3RhcnQSBCICCAVqFC9kZXYvdGVybWluYXRpb24tbG9ncgZBbHdheXN6YwoQCglORVRf
    QURNSU4SA0FMTBAAGg0KABIAGgAiBXMwOmMxIOgHKAEwATgAQABKB0RlZmF1bHRSCAoBZxoBdSAAWhAKDlJ1bnRpbWVEZWZhdWx0
    Yg4KCUxvY2FsaG9zdBIBcIABAYgBAZABAZoBEQoEQ0ZHXxIJCgUKA2NmZxABmgEJCgAaBQoDCgFzogEVRmFsbGJhY2tUb0xvZ3NP
    bkVycm9yqgEQCgNibGsSCS9kZXYveHZkYbIBGwoPCg0KA2NhdAoGL3JlYWR5EAAYACAAKAAwHroBEgoDY3B1EgtOb3RSZXF1aXJl
    ZBKXAQoEc2lkZRIHYnVzeWJveCoAOgkKA05FRxICLTFCAFIfChMaEQoNCAEQABoHbWV0cmljcxIAEAAYACAAKAAwAFoZCg0iCwio
    RhIGaGVhbHRoEAAYACAAKAAwAGIrChEaDwoKCAEQABoEaHR0cBIBaBIWEhQKBS9zdG9wEgcIABCQPxoAGgAiAGoAcgCAAQCIAQCQ
    AQCiAQASNgoDZGJnEgdidXN5Ym94KgBCAGoAcgB6DgoMCgpTWVNfUFRSQUNFgAEAiAEAkAEAogEERmlsZRoGQWx3YXlzIAAo2AQy
    BE5vbmU6CwoEZGlzaxIDc3NkQgZydW5uZXJKBnJ1bm5lclICbjFYAGABaAFylwEKDAoBdRIBchoBdCIBbBDoBxgBIKAfIIgnKNAP
    MLgXOioKHG5ldC5pcHY0LmlwX2xvY2FsX3BvcnRfcmFuZ2USCjEwMjQgNjU1MzVKDk9uUm9vdE1pc21hdGNoUhYKCUxvY2FsaG9z
    dBIJcHJvZi5qc29uWhAKDlJ1bnRpbWVEZWZhdWx0YgVNZXJnZWoJUmVjdXJzaXZlegkKB3JlZ2NyZWSCAQFoigEDc3VikgGyAQpI
    CjEKLwoQCgR6b25lEgJJbhoBYRoBYhIbCg1tZXRhZGF0YS5uYW1lEgVOb3RJbhoDYmFkEhMIChIPCg0KA2dwdRIGRXhpc3RzEjAK
    LgoLCgkKA2FwcBICZGISB2RlZmF1bHQaFmt1YmVybmV0ZXMuaW8vaG9zdG5hbWUaNBIyCDISLgoREg8KA2FwcBICSW4aBHJpY2ga
    BHpvbmUiACoRcG9kLXRlbXBsYXRlLWhhc2iaARFkZWZhdWx0LXNjaGVkdWxlcqIBZgoEaW5pdBIMYnVzeWJveDoxLjM2GgJzaBoC
    LWMiB2VjaG8gaGkqAEIAahQvZGV2L3Rlcm1pbmF0aW9uLWxvZ3IMSWZOb3RQcmVzZW50gAEAiAEAkAEAogEERmlsZcIBBkFsd2F5
    c6gBALIBNgocbm9kZS5rdWJlcm5ldGVzLmlvL25vdC1yZWFkeRIGRXhpc3RzGgAiCU5vRXhlY3V0ZSisArIBDgoAEgZFeGlzdHMa
    ACIAsgEZCgFrEgVFcXVhbBoBdiIKTm9TY2hlZHVsZboBIAoIMTAuMS4yLjMSCWZvby5sb2NhbBIJYmFyLmxvY2FswgEEaGlnaMgB
    6AfSATEKBzEuMS4xLjESEXN2Yy5jbHVzdGVyLmxvY2FsGgoKBW5kb3RzEgEyGgcKBWVkbnMw2AEA4gETChFleGFtcGxlLmNvbS9y
    ZWFkeeoBBHJ1bmPwAQD6AQVOZXZlcoICDAoDY3B1EgUKAzEwbYoCOggBEgR6b25lGg1Eb05vdFNjaGVkdWxlIg0KCwoDYXBwEgRy
    aWNoKAIyBUhvbm9yOgZJZ25vcmVCAXaYAgGiAgcKBWxpbnV4qAIAsgISChBleGFtcGxlLmNvbS9nYXRlugIPCgNncHUiCGdwdS10
    bXBsugIQCgVmaXhlZBoHY2xhaW0tMcICKQoKCgNjcHUSAwoBMhIKCgNjcHUSAwoBMRIPCgZtZW1vcnkSBQoDMUdpGhAKABoAIgAq
    ADIASgBaAHIAGgAiAA==
    """

    /// A Pod touching most PodSpec fields, with full ObjectMeta (owner references, managed
    /// fields, deletion time) hidden in the ephemeral volume's claim template, the one place
    /// `kubectl debug --copy-to` copies metadata verbatim.
    static let richPod = """
    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"rich","namespace":"default","labels":{"app":"rich","tier":"web"},"annotations":{"note":"x"}},
    "spec":{
     "volumes":[
      {"name":"ed","emptyDir":{"medium":"Memory","sizeLimit":"64Mi"}},
      {"name":"hp","hostPath":{"path":"/var/log","type":"Directory"}},
      {"name":"cm","configMap":{"name":"cfg","items":[{"key":"a","path":"a.txt","mode":420}],"defaultMode":384,"optional":true}},
      {"name":"sec","secret":{"secretName":"s","defaultMode":256,"optional":false}},
      {"name":"pvc","persistentVolumeClaim":{"claimName":"data","readOnly":true}},
      {"name":"dapi","downwardAPI":{"items":[{"path":"labels","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.labels"}},{"path":"cpu","resourceFieldRef":{"containerName":"app","resource":"limits.cpu","divisor":"1m"}}],"defaultMode":420}},
      {
       "name":"proj",
       "projected":{"sources":[{"secret":{"name":"s2","items":[{"key":"k","path":"p"}]}},{"configMap":{"name":"c2","optional":true}},{"downwardAPI":{"items":[{"path":"n","fieldRef":{"fieldPath":"metadata.name"}}]}},{"serviceAccountToken":{"audience":"api","expirationSeconds":3600,"path":"token"}},{"clusterTrustBundle":{"signerName":"example.com/s","labelSelector":{"matchLabels":{"t":"1"}},"optional":true,"path":"ca.pem"}}],"defaultMode":420}
      },
      {"name":"nfs","nfs":{"server":"10.0.0.1","path":"/exports","readOnly":true}},
      {"name":"csi","csi":{"driver":"d.example.com","readOnly":true,"fsType":"ext4","volumeAttributes":{"k":"v"},"nodePublishSecretRef":{"name":"ns"}}},
      {
       "name":"eph",
       "ephemeral":{"volumeClaimTemplate":{"metadata":{"name":"tmpl","generateName":"gen-","namespace":"default","selfLink":"/x","uid":"tmpl-uid","resourceVersion":"9","generation":2,"creationTimestamp":"2023-12-31T23:59:59Z","deletionTimestamp":"2025-02-28T12:00:00Z","deletionGracePeriodSeconds":0,"labels":{"e":"1"},"annotations":{"k":""},"ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"owner","uid":"o-uid","controller":false,"blockOwnerDeletion":true}],"finalizers":["kubernetes.io/pvc-protection",""],"managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"v1","time":"2024-03-04T05:06:07Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:e":{}}}},"subresource":"status"}]},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}},"storageClassName":"fast","volumeMode":"Filesystem","selector":{"matchLabels":{"pv":"x"},"matchExpressions":[{"key":"tier","operator":"NotIn","values":["cold"]}]},"volumeName":"pv-1","dataSource":{"apiGroup":"snapshot.storage.k8s.io","kind":"VolumeSnapshot","name":"snap"},"dataSourceRef":{"apiGroup":"","kind":"PersistentVolumeClaim","name":"src","namespace":"other"},"volumeAttributesClassName":"gold"}}}
      },
      {"name":"img","image":{"reference":"quay.io/x/y:1","pullPolicy":"IfNotPresent"}}
     ],
     "initContainers":[{"name":"init","image":"busybox:1.36","command":["sh","-c"],"args":["echo hi"],"restartPolicy":"Always","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],
     "containers":[
      {
       "name":"app",
       "image":"nginx:1.27",
       "command":["nginx"],
       "args":["-g","daemon off;"],
       "workingDir":"/srv",
       "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},{"name":"dns","hostPort":5353,"containerPort":53,"protocol":"UDP","hostIP":"127.0.0.1"}],
       "envFrom":[{"prefix":"CFG_","configMapRef":{"name":"cfg","optional":true}},{"secretRef":{"name":"s"}}],
       "env":[{"name":"A","value":"1"},{"name":"EMPTY"},{"name":"POD","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},{"name":"MEM","valueFrom":{"resourceFieldRef":{"containerName":"app","resource":"limits.memory","divisor":"1Mi"}}},{"name":"K","valueFrom":{"configMapKeyRef":{"name":"cfg","key":"k","optional":false}}},{"name":"S","valueFrom":{"secretKeyRef":{"name":"s","key":"pw"}}}],
       "resources":{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"250m","memory":"64Mi"},"claims":[{"name":"gpu","request":"r1"}]},
       "resizePolicy":[{"resourceName":"cpu","restartPolicy":"NotRequired"}],
       "volumeMounts":[{"name":"ed","mountPath":"/cache"},{"name":"cm","readOnly":true,"mountPath":"/etc/cfg","subPath":"a.txt"},{"name":"hp","mountPath":"/logs","mountPropagation":"HostToContainer","subPathExpr":"$(POD)"}],
       "livenessProbe":{"httpGet":{"path":"/healthz","port":"http","host":"localhost","scheme":"HTTP","httpHeaders":[{"name":"X-Probe","value":"1"}]},"initialDelaySeconds":3,"timeoutSeconds":2,"periodSeconds":10,"successThreshold":1,"failureThreshold":3,"terminationGracePeriodSeconds":5},
       "readinessProbe":{"tcpSocket":{"port":8080},"periodSeconds":5},
       "startupProbe":{"exec":{"command":["cat","/ready"]},"failureThreshold":30},
       "lifecycle":{"postStart":{"exec":{"command":["echo","start"]}},"preStop":{"sleep":{"seconds":5}}},
       "terminationMessagePath":"/dev/termination-log",
       "terminationMessagePolicy":"FallbackToLogsOnError",
       "imagePullPolicy":"Always",
       "securityContext":{"capabilities":{"add":["NET_ADMIN"],"drop":["ALL"]},"privileged":false,"seLinuxOptions":{"level":"s0:c1"},"runAsUser":1000,"runAsGroup":0,"runAsNonRoot":true,"readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false,"seccompProfile":{"type":"RuntimeDefault"},"appArmorProfile":{"type":"Localhost","localhostProfile":"p"},"procMount":"Default","windowsOptions":{"gmsaCredentialSpecName":"g","runAsUserName":"u","hostProcess":false}},
       "stdin":true,
       "stdinOnce":true,
       "tty":true,
       "volumeDevices":[{"name":"blk","devicePath":"/dev/xvda"}]
      },
      {"name":"side","image":"busybox","readinessProbe":{"grpc":{"port":9000,"service":"health"}},"livenessProbe":{"tcpSocket":{"port":"metrics"}},"resources":{},"lifecycle":{"preStop":{"httpGet":{"path":"/stop","port":8080}},"postStart":{"tcpSocket":{"port":"http","host":"h"}}},"env":[{"name":"NEG","value":"-1"}]}
     ],
     "restartPolicy":"Always",
     "terminationGracePeriodSeconds":0,
     "activeDeadlineSeconds":600,
     "dnsPolicy":"None",
     "nodeSelector":{"disk":"ssd"},
     "serviceAccountName":"runner",
     "serviceAccount":"runner",
     "automountServiceAccountToken":false,
     "nodeName":"n1",
     "hostNetwork":false,
     "hostPID":true,
     "hostIPC":true,
     "shareProcessNamespace":false,
     "securityContext":{"runAsUser":1000,"runAsGroup":3000,"runAsNonRoot":true,"supplementalGroups":[4000,5000],"fsGroup":2000,"sysctls":[{"name":"net.ipv4.ip_local_port_range","value":"1024 65535"}],"fsGroupChangePolicy":"OnRootMismatch","seccompProfile":{"type":"Localhost","localhostProfile":"prof.json"},"supplementalGroupsPolicy":"Merge","seLinuxOptions":{"user":"u","role":"r","type":"t","level":"l"},"appArmorProfile":{"type":"RuntimeDefault"},"seLinuxChangePolicy":"Recursive"},
     "imagePullSecrets":[{"name":"regcred"}],
     "hostname":"h",
     "subdomain":"sub",
     "affinity":{
      "nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["a","b"]}],"matchFields":[{"key":"metadata.name","operator":"NotIn","values":["bad"]}]}]},"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":10,"preference":{"matchExpressions":[{"key":"gpu","operator":"Exists"}]}}]},
      "podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"app":"db"}},"topologyKey":"kubernetes.io/hostname","namespaces":["default"]}]},
      "podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":50,"podAffinityTerm":{"labelSelector":{"matchExpressions":[{"key":"app","operator":"In","values":["rich"]}]},"topologyKey":"zone","namespaceSelector":{},"matchLabelKeys":["pod-template-hash"]}}]}
     },
     "schedulerName":"default-scheduler",
     "tolerations":[
      {"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},
      {"operator":"Exists"},
      {"key":"k","operator":"Equal","value":"v","effect":"NoSchedule"}
     ],
     "hostAliases":[{"ip":"10.1.2.3","hostnames":["foo.local","bar.local"]}],
     "priorityClassName":"high",
     "priority":1000,
     "dnsConfig":{"nameservers":["1.1.1.1"],"searches":["svc.cluster.local"],"options":[{"name":"ndots","value":"2"},{"name":"edns0"}]},
     "readinessGates":[{"conditionType":"example.com/ready"}],
     "runtimeClassName":"runc",
     "enableServiceLinks":false,
     "preemptionPolicy":"Never",
     "overhead":{"cpu":"10m"},
     "topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule","labelSelector":{"matchLabels":{"app":"rich"}},"minDomains":2,"nodeAffinityPolicy":"Honor","nodeTaintsPolicy":"Ignore","matchLabelKeys":["v"]}],
     "setHostnameAsFQDN":true,
     "os":{"name":"linux"},
     "hostUsers":false,
     "schedulingGates":[{"name":"example.com/gate"}],
     "resourceClaims":[{"name":"gpu","resourceClaimTemplateName":"gpu-tmpl"},{"name":"fixed","resourceClaimName":"claim-1"}],
     "resources":{"limits":{"cpu":"2"},"requests":{"cpu":"1","memory":"1Gi"}},
     "ephemeralContainers":[{"name":"eph1","image":"busybox","targetContainerName":"app","stdin":true,"resources":{}}]
    }}
    """

    private func bytes(base64 text: String) -> [UInt8] {
        [UInt8](Data(base64Encoded: text.filter { !$0.isWhitespace })!)
    }

    private func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    func testRecordedKubectlCreateBodiesDecodeToKubectlsJSON() throws {
        // Each expected document is what the same kubectl prints with --dry-run=client -o json.
        let cases: [(String, String)] = [
            (Self.recordedConfigMap, #"""
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"creationTimestamp":null,"name":"cfg"},
             "data":{"a":"b","empty":""},"binaryData":{"blob":"AAH+/2Jpbg=="}}
            """#),
            (Self.recordedSecret, #"""
            {"apiVersion":"v1","kind":"Secret","metadata":{"creationTimestamp":null,"name":"sec"},
             "data":{"password":"czNjcjN0","user":"YWRtaW4="},"type":"Opaque"}
            """#),
            (Self.recordedDeployment, #"""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"creationTimestamp":null,"labels":{"app":"web"},"name":"web"},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"strategy":{},
                     "template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},
                                 "spec":{"containers":[{"command":["sleep","3600"],"image":"busybox","name":"busybox",
                                                        "ports":[{"containerPort":8080}],"resources":{}}]}}},
             "status":{}}
            """#),
            (Self.recordedService, #"""
            {"apiVersion":"v1","kind":"Service","metadata":{"creationTimestamp":null,"labels":{"app":"web"},"name":"web"},
             "spec":{"ports":[{"name":"80-8080","nodePort":30080,"port":80,"protocol":"TCP","targetPort":8080}],
                     "selector":{"app":"web"},"type":"NodePort"},
             "status":{"loadBalancer":{}}}
            """#),
        ]
        for (body, expected) in cases {
            XCTAssertEqual(try KubernetesProtobuf.decode(bytes(base64: body)), try json(expected))
        }
    }

    func testRecordedRichPodCopyDecodesToTheServedPodSpec() throws {
        let decoded = try KubernetesProtobuf.decode(bytes(base64: Self.recordedRichPodCopy))
        try assertIsDebugCopyOfRichPod(decoded)
    }

    /// `kubectl debug --copy-to` renames the Pod, drops everything of metadata but labels and
    /// annotations, drops ephemeral containers and appends the debug container; the rest of
    /// the spec must come back exactly as served.
    private func assertIsDebugCopyOfRichPod(_ decoded: JSONValue, file: StaticString = #filePath, line: UInt = #line) throws {
        let served = try json(Self.richPod)
        XCTAssertEqual(decoded["apiVersion"], "v1", file: file, line: line)
        XCTAssertEqual(decoded["kind"], "Pod", file: file, line: line)
        XCTAssertEqual(decoded[path: ["metadata", "name"]], "rich2", file: file, line: line)
        XCTAssertEqual(decoded[path: ["metadata", "labels"]], served[path: ["metadata", "labels"]], file: file, line: line)
        XCTAssertEqual(decoded[path: ["metadata", "annotations"]], served[path: ["metadata", "annotations"]], file: file, line: line)

        var expectedSpec = try XCTUnwrap(served["spec"])
        expectedSpec.removeValue(forKey: "ephemeralContainers")
        expectedSpec.removeValue(forKey: "hostNetwork")  // false: omitempty, as in Go's JSON
        var decodedSpec = try XCTUnwrap(decoded["spec"])
        var containers = try XCTUnwrap(decodedSpec["containers"]?.arrayValue)
        let debugger = containers.removeLast()
        decodedSpec["containers"] = .array(containers)
        XCTAssertEqual(debugger["name"], "dbg", file: file, line: line)
        XCTAssertEqual(debugger["image"], "busybox", file: file, line: line)

        for key in Set(expectedSpec.objectValue!.keys).union(decodedSpec.objectValue!.keys).sorted() {
            XCTAssertEqual(decodedSpec[key], expectedSpec[key], "spec.\(key)", file: file, line: line)
        }
        // Spot checks of values whose zero or pointer-ness matters.
        XCTAssertEqual(decodedSpec["terminationGracePeriodSeconds"], 0, file: file, line: line)
        XCTAssertEqual(decodedSpec["enableServiceLinks"], false, file: file, line: line)
        XCTAssertEqual(decodedSpec[path: ["containers"]]?.arrayValue?.first?[path: ["securityContext", "runAsGroup"]], 0,
                       file: file, line: line)
        let claimMeta = decodedSpec["volumes"]?.arrayValue?.first { $0["name"] == "eph" }?[
            path: ["ephemeral", "volumeClaimTemplate", "metadata"]]
        XCTAssertEqual(claimMeta?["deletionTimestamp"], "2025-02-28T12:00:00Z", file: file, line: line)
        XCTAssertEqual(claimMeta?["deletionGracePeriodSeconds"], 0, file: file, line: line)
        XCTAssertEqual(claimMeta?["managedFields"]?.arrayValue?.first?["fieldsV1"],
                       ["f:metadata": ["f:labels": [".": [:], "f:e": [:]]]], file: file, line: line)
    }

    // MARK: - Live capture from kubectl

    /// Runs kubectl against a plain-HTTP capture server on 127.0.0.1 that answers discovery,
    /// serves fixture objects and records every request body; each recorded protobuf body must
    /// decode to what the same kubectl prints as JSON.
    func testLiveKubectlBodiesDecodeToKubectlsJSON() throws {
        guard let kubectl = Self.executable("kubectl"), let python = Self.executable("python3") else {
            throw XCTSkip("kubectl or python3 is not on PATH")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-pb-\(UUID().uuidString)")
        let captures = dir.appendingPathComponent("captures")
        try FileManager.default.createDirectory(at: captures, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.captureServer.write(to: dir.appendingPathComponent("capture.py"), atomically: true, encoding: .utf8)
        try "{\"/api/v1/namespaces/default/pods/rich\": \(Self.richPod)}"
            .write(to: dir.appendingPathComponent("fixtures.json"), atomically: true, encoding: .utf8)
        try Data([0x00, 0x01, 0xfe, 0xff, 0x62, 0x69, 0x6e]).write(to: dir.appendingPathComponent("blob.bin"))

        let server = Process()
        server.executableURL = python
        server.arguments = [dir.appendingPathComponent("capture.py").path, captures.path,
                            dir.appendingPathComponent("port").path, dir.appendingPathComponent("fixtures.json").path]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        // The server also exits by itself when this process goes away or after five minutes.
        defer {
            if server.isRunning { server.terminate() }
            server.waitUntilExit()
        }
        let port = try Self.waitForFile(dir.appendingPathComponent("port"))
        try """
        apiVersion: v1
        kind: Config
        clusters: [{name: capture, cluster: {server: "http://127.0.0.1:\(port)"}}]
        users: [{name: capture, user: {}}]
        contexts: [{name: capture, context: {cluster: capture, user: capture, namespace: default}}]
        current-context: capture
        """.write(to: dir.appendingPathComponent("kubeconfig"), atomically: true, encoding: .utf8)

        func kubectlRun(_ arguments: [String]) throws -> (status: Int32, output: Data) {
            try Self.run(kubectl, ["--kubeconfig", dir.appendingPathComponent("kubeconfig").path,
                                   "--cache-dir", dir.appendingPathComponent("cache").path] + arguments, in: dir)
        }
        var seen = Set<String>()
        func newBody() throws -> [UInt8] {
            let names = try FileManager.default.contentsOfDirectory(atPath: captures.path).filter { $0.hasSuffix(".body") }
            let fresh = names.filter { !seen.contains($0) }
            guard fresh.count == 1, let name = fresh.first else {
                throw XCTSkip("expected one new request body, found \(fresh)")
            }
            seen.insert(name)
            return [UInt8](try Data(contentsOf: captures.appendingPathComponent(name)))
        }

        let creates: [([String], [String])] = [
            (["create", "configmap", "cfg", "--from-literal=a=b", "--from-literal=empty=", "--from-file=blob=blob.bin"], []),
            (["create", "secret", "generic", "sec", "--from-literal=password=s3cr3t", "--type=Opaque"], []),
            (["create", "secret", "docker-registry", "reg", "--docker-server=r.example.com",
              "--docker-username=u", "--docker-password=p"], []),
            (["create", "deployment", "web", "--image=busybox", "--replicas=2", "--port=8080"], ["--", "sleep", "3600"]),
            (["create", "deployment", "idle", "--image=nginx", "--replicas=0"], []),
            (["create", "service", "nodeport", "web", "--tcp=80:8080", "--node-port=30080"], []),
            (["create", "service", "clusterip", "headless", "--clusterip=None", "--tcp=5678:8080"], []),
            (["create", "service", "loadbalancer", "lb", "--tcp=443:8443"], []),
            (["create", "service", "externalname", "ext", "--external-name=example.com"], []),
            (["create", "namespace", "team-a"], []),
            (["create", "serviceaccount", "runner"], []),
        ]
        for (arguments, trailing) in creates {
            let printed = try kubectlRun(arguments + ["--dry-run=client", "-o", "json"] + trailing)
            XCTAssertEqual(printed.status, 0, "kubectl \(arguments.joined(separator: " ")) --dry-run")
            let sent = try kubectlRun(arguments + trailing)
            XCTAssertEqual(sent.status, 0, "kubectl \(arguments.joined(separator: " "))")
            let body = try newBody()
            XCTAssertTrue(KubernetesProtobuf.hasMagic(body), "kubectl \(arguments.joined(separator: " ")) sent protobuf")
            XCTAssertEqual(try KubernetesProtobuf.decode(body), try JSONParser.parse([UInt8](printed.output)),
                           "kubectl \(arguments.joined(separator: " "))")
        }

        let debug = try kubectlRun(["debug", "rich", "--copy-to=rich2", "--image=busybox", "--container=dbg",
                                    "--keep-liveness=true", "--keep-readiness=true", "--keep-startup=true",
                                    "--keep-labels=true", "--keep-annotations=true", "--keep-init-containers=true",
                                    "--same-node=true", "--share-processes=false", "--attach=false", "--profile=general"])
        XCTAssertEqual(debug.status, 0, "kubectl debug --copy-to")
        try assertIsDebugCopyOfRichPod(try KubernetesProtobuf.decode(try newBody()))
    }

    static func executable(_ name: String) -> URL? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    static func waitForFile(_ url: URL) throws -> String {
        for _ in 0..<200 {
            if let text = try? String(contentsOf: url, encoding: .utf8), !text.isEmpty { return text }
            usleep(50_000)
        }
        throw XCTSkip("the capture server did not start")
    }

    /// Runs a program to completion (killed after 60 s), its output sent to a file rather
    /// than a pipe so a chatty child can never block on a full pipe.
    static func run(_ program: URL, _ arguments: [String], in dir: URL) throws -> (status: Int32, output: Data) {
        let outputURL = dir.appendingPathComponent("out-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close(); try? FileManager.default.removeItem(at: outputURL) }
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = dir
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return (process.terminationStatus, try Data(contentsOf: outputURL))
    }

    /// Plain-HTTP stand-in for an API server: minimal discovery, fixture GETs, and every
    /// write's body saved as captures/reqN.body.
    static let captureServer = #"""
    import http.server, json, os, socketserver, sys, threading, time

    out, portfile, fixtures = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
    parent = os.getppid()

    def watchdog():
        deadline = time.time() + 300
        while time.time() < deadline and os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()

    def resources(group_version, kinds):
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": [
            {"name": name, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind,
             "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}
            for name, kind, namespaced in kinds]}

    documents = {
        "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []},
        "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
            {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
             "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}}]},
        "/api/v1": resources("v1", [("configmaps", "ConfigMap", True), ("secrets", "Secret", True),
                                    ("namespaces", "Namespace", False), ("services", "Service", True),
                                    ("pods", "Pod", True), ("serviceaccounts", "ServiceAccount", True)]),
        "/apis/apps/v1": resources("apps/v1", [("deployments", "Deployment", True)]),
    }
    documents.update(fixtures)
    lock = threading.Lock()
    count = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, code, document):
            body = json.dumps(document).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            document = documents.get(self.path.split("?")[0])
            if document is None:
                return self.reply(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                        "reason": "NotFound", "code": 404, "message": "not found"})
            self.reply(200, document)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                count[0] += 1
                name = os.path.join(out, "req%d" % count[0])
            with open(name + ".tmp", "wb") as f:
                f.write(body)
            os.rename(name + ".tmp", name + ".body")
            self.reply(201, {"apiVersion": "v1", "kind": "Status", "status": "Success", "metadata": {}})

        do_PUT = do_POST

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    server.serve_forever()
    """#

    // MARK: - Hand-built messages

    /// A protobuf writer for tests, independent of the codec under test.
    struct PB {
        var bytes: [UInt8] = []

        init(_ build: (inout PB) -> Void = { _ in }) { build(&self) }

        mutating func raw(_ value: UInt64) {
            var value = value
            while value >= 0x80 { bytes.append(UInt8(value & 0x7f) | 0x80); value >>= 7 }
            bytes.append(UInt8(value))
        }
        mutating func tag(_ field: Int, _ wireType: UInt64) { raw(UInt64(field) << 3 | wireType) }
        mutating func varint(_ field: Int, _ value: Int64) { tag(field, 0); raw(UInt64(bitPattern: value)) }
        mutating func bytes(_ field: Int, _ value: [UInt8]) { tag(field, 2); raw(UInt64(value.count)); bytes += value }
        mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }
        mutating func message(_ field: Int, _ value: PB) { bytes(field, value.bytes) }
        mutating func fixed64(_ field: Int, _ value: UInt64) {
            tag(field, 1)
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(value >> UInt64(shift) & 0xff)) }
        }
        mutating func fixed32(_ field: Int, _ value: UInt32) {
            tag(field, 5)
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(value >> UInt32(shift) & 0xff)) }
        }
        mutating func entry(_ field: Int, _ key: String, _ value: String) {
            message(field, PB { $0.string(1, key); $0.string(2, value) })
        }

        static func body(_ apiVersion: String, _ kind: String, _ object: PB) -> [UInt8] {
            let unknown = PB {
                $0.message(1, PB { $0.string(1, apiVersion); $0.string(2, kind) })
                $0.message(2, object)
                $0.string(3, "")
                $0.string(4, "")
            }
            return [0x6b, 0x38, 0x73, 0x00] + unknown.bytes
        }
    }

    private func metadata(_ name: String) -> PB { PB { $0.string(1, name) } }

    func testMapsBytesImmutableAndUnknownFields() throws {
        let body = PB.body("v1", "ConfigMap", PB {
            $0.message(1, PB {
                $0.string(1, "cfg")
                $0.string(3, "default")
                $0.entry(11, "app", "web")
                $0.entry(12, "note", "")
                $0.varint(15, 7)  // a field ObjectMeta does not have
            })
            $0.entry(2, "k", "v")
            $0.message(2, PB { $0.string(1, "nokey-value-missing") })  // value absent: ""
            $0.message(3, PB { $0.string(1, "bin"); $0.bytes(2, [0, 255, 1]) })
            $0.varint(4, 0)  // immutable is a *bool: false is a real value
            $0.varint(99, 1)
            $0.fixed32(98, 5)
            $0.fixed64(97, 6)
            $0.string(96, "ignored")
        })
        XCTAssertEqual(try KubernetesProtobuf.decode(body), try json(#"""
        {"apiVersion":"v1","kind":"ConfigMap",
         "metadata":{"name":"cfg","namespace":"default","labels":{"app":"web"},"annotations":{"note":""}},
         "data":{"k":"v","nokey-value-missing":""},"binaryData":{"bin":"AP8B"},"immutable":false}
        """#))
    }

    func testZeroValuesFollowGoJSONOmitEmpty() throws {
        let body = PB.body("apps/v1", "Deployment", PB {
            $0.message(1, PB { $0.string(1, "web"); $0.string(2, ""); $0.varint(7, 0); $0.message(8, PB()) })
            $0.message(2, PB {
                $0.varint(1, 0)  // *int32 replicas: scale to zero
                $0.varint(5, 0)  // minReadySeconds, omitempty
                $0.varint(7, 0)  // paused, omitempty
                $0.varint(6, 0)  // *int32 revisionHistoryLimit
                $0.message(4, PB { $0.string(1, "RollingUpdate"); $0.message(2, PB {
                    $0.message(1, PB { $0.varint(1, 1); $0.string(3, "25%") })
                    $0.message(2, PB { $0.varint(1, 0); $0.varint(2, 0) })
                }) })
            })
            $0.message(3, PB())
        })
        XCTAssertEqual(try KubernetesProtobuf.decode(body), try json(#"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","creationTimestamp":null},
         "spec":{"replicas":0,"revisionHistoryLimit":0,
                 "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":0}}},
         "status":{}}
        """#))
    }

    func testPackedAndUnpackedRepeatedScalarsAndNegativeNumbers() throws {
        func pod(_ securityContext: PB) -> [UInt8] {
            PB.body("v1", "Pod", PB {
                $0.message(1, metadata("p"))
                $0.message(2, PB {
                    $0.message(14, securityContext)
                    $0.varint(25, -5)  // int32 priority, sign-extended to ten bytes
                    $0.varint(4, -1)  // int64 terminationGracePeriodSeconds
                })
            })
        }
        let unpacked = pod(PB { $0.varint(4, 4000); $0.varint(4, 5000); $0.varint(4, -1) })
        let packed = pod(PB {
            var run = PB()
            run.raw(4000); run.raw(5000); run.raw(UInt64(bitPattern: -1))
            $0.bytes(4, run.bytes)
        })
        let expected = try json(#"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
         "spec":{"securityContext":{"supplementalGroups":[4000,5000,-1]},"priority":-5,"terminationGracePeriodSeconds":-1}}
        """#)
        XCTAssertEqual(try KubernetesProtobuf.decode(unpacked), expected)
        XCTAssertEqual(try KubernetesProtobuf.decode(packed), expected)
    }

    func testTimeIsSecondsAndMicroTimeKeepsMicroseconds() throws {
        let lease = PB.body("coordination.k8s.io/v1", "Lease", PB {
            $0.message(1, PB {
                $0.string(1, "node-a")
                $0.message(8, PB { $0.varint(1, 1_704_164_645); $0.varint(2, 999_999_999) })
                $0.message(9, PB { $0.varint(1, -1) })
            })
            $0.message(2, PB {
                $0.string(1, "node-a")
                $0.varint(2, 40)
                $0.message(3, PB { $0.varint(1, 951_825_600); $0.varint(2, 123_456_789) })
                $0.message(4, PB { $0.varint(1, 1_704_164_645) })
                $0.varint(5, 0)
            })
        })
        XCTAssertEqual(try KubernetesProtobuf.decode(lease), try json(#"""
        {"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
         "metadata":{"name":"node-a","creationTimestamp":"2024-01-02T03:04:05Z","deletionTimestamp":"1969-12-31T23:59:59Z"},
         "spec":{"holderIdentity":"node-a","leaseDurationSeconds":40,"acquireTime":"2000-02-29T12:00:00.123456Z",
                 "renewTime":"2024-01-02T03:04:05.000000Z","leaseTransitions":0}}
        """#))
    }

    func testIntOrStringQuantityRawJSONAndInlineStructs() throws {
        let body = PB.body("v1", "Pod", PB {
            $0.message(1, PB {
                $0.string(1, "p")
                $0.message(17, PB {
                    $0.string(1, "kubectl")
                    $0.message(7, PB { $0.string(1, #"{"f:spec":{"f:containers":{}}}"#) })
                })
            })
            $0.message(2, PB {
                $0.message(1, PB {  // Volume: name, then the VolumeSource inlined
                    $0.string(1, "cfg")
                    $0.message(2, PB { $0.message(19, PB { $0.message(1, PB { $0.string(1, "app-config") }) }) })
                })
                $0.message(2, PB {
                    $0.string(1, "app")
                    $0.message(8, PB {
                        $0.message(1, PB { $0.string(1, "memory"); $0.message(2, PB { $0.string(1, "128Mi") }) })
                        $0.message(2, PB { $0.string(1, "cpu"); $0.message(2, PB()) })  // zero Quantity
                    })
                    $0.message(10, PB {  // Probe: the ProbeHandler is inlined
                        $0.message(1, PB { $0.message(2, PB {
                            $0.string(1, "/healthz")
                            $0.message(2, PB { $0.varint(1, 1); $0.string(3, "http") })
                        }) })
                        $0.varint(4, 10)
                    })
                    $0.message(7, PB {
                        $0.string(1, "KEY")
                        $0.message(3, PB { $0.message(3, PB {
                            $0.message(1, PB { $0.string(1, "app-config") })
                            $0.string(2, "key")
                        }) })
                    })
                })
            })
        })
        XCTAssertEqual(try KubernetesProtobuf.decode(body), try json(#"""
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"p","managedFields":[{"manager":"kubectl","fieldsV1":{"f:spec":{"f:containers":{}}}}]},
         "spec":{"volumes":[{"name":"cfg","configMap":{"name":"app-config"}}],
                 "containers":[{"name":"app","resources":{"limits":{"memory":"128Mi"},"requests":{"cpu":"0"}},
                                "livenessProbe":{"httpGet":{"path":"/healthz","port":"http"},"periodSeconds":10},
                                "env":[{"name":"KEY","valueFrom":{"configMapKeyRef":{"name":"app-config","key":"key"}}}]}]}}
        """#))
    }

    func testListsDeleteOptionsAndOtherServedKinds() throws {
        let list = PB.body("v1", "ConfigMapList", PB {
            $0.message(1, PB { $0.string(2, "17") })
            $0.message(2, PB { $0.message(1, metadata("a")) })
            $0.message(2, PB { $0.message(1, metadata("b")) })
        })
        XCTAssertEqual(try KubernetesProtobuf.decode(list), try json(#"""
        {"apiVersion":"v1","kind":"ConfigMapList","metadata":{"resourceVersion":"17"},
         "items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}
        """#))

        let delete = PB.body("apps/v1", "DeleteOptions", PB {
            $0.varint(1, 0)
            $0.message(2, PB { $0.string(1, "uid-1") })
            $0.string(4, "Foreground")
            $0.string(5, "All")
        })
        XCTAssertEqual(try KubernetesProtobuf.decode(delete), try json(#"""
        {"apiVersion":"apps/v1","kind":"DeleteOptions","gracePeriodSeconds":0,"preconditions":{"uid":"uid-1"},
         "propagationPolicy":"Foreground","dryRun":["All"]}
        """#))

        let slice = PB.body("discovery.k8s.io/v1", "EndpointSlice", PB {
            $0.message(1, metadata("web-abc"))
            $0.message(2, PB {
                $0.string(1, "10.244.1.5")
                $0.message(2, PB { $0.varint(1, 1); $0.varint(2, 1); $0.varint(3, 0) })
                $0.message(4, PB { $0.string(1, "Pod"); $0.string(2, "default"); $0.string(3, "web-1") })
                $0.string(6, "node-a")
            })
            $0.message(3, PB { $0.string(1, "http"); $0.string(2, "TCP"); $0.varint(3, 8080) })
            $0.string(4, "IPv4")
        })
        XCTAssertEqual(try KubernetesProtobuf.decode(slice), try json(#"""
        {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"web-abc"},"addressType":"IPv4",
         "endpoints":[{"addresses":["10.244.1.5"],"conditions":{"ready":true,"serving":true,"terminating":false},
                       "targetRef":{"kind":"Pod","namespace":"default","name":"web-1"},"nodeName":"node-a"}],
         "ports":[{"name":"http","protocol":"TCP","port":8080}]}
        """#))

        let binding = PB.body("v1", "Binding", PB {
            $0.message(1, metadata("web-1"))
            $0.message(2, PB { $0.string(1, "Node"); $0.string(3, "node-a") })
        })
        XCTAssertEqual(try KubernetesProtobuf.decode(binding), try json(#"""
        {"apiVersion":"v1","kind":"Binding","metadata":{"name":"web-1"},"target":{"kind":"Node","name":"node-a"}}
        """#))

        let scale = PB.body("autoscaling/v1", "Scale", PB {
            $0.message(1, metadata("web"))
            $0.message(2, PB { $0.varint(1, 0) })
        })
        XCTAssertEqual(try KubernetesProtobuf.decode(scale)[path: ["spec", "replicas"]], 0)
    }

    func testRejectsMalformedBodies() throws {
        let good = PB.body("v1", "ConfigMap", PB { $0.message(1, metadata("cfg")) })
        XCTAssertNoThrow(try KubernetesProtobuf.decode(good))

        func message(of bytes: [UInt8]) -> String? {
            do {
                _ = try KubernetesProtobuf.decode(bytes)
                return nil
            } catch let error as ProtobufDecodingError {
                return error.description
            } catch {
                return "unexpected \(error)"
            }
        }
        XCTAssertEqual(message(of: Array(#"{"kind":"ConfigMap"}"#.utf8)),
                       #"not a Kubernetes protobuf body: missing the k8s\0 magic prefix"#)
        XCTAssertEqual(message(of: [0x6b, 0x38, 0x73]), #"not a Kubernetes protobuf body: missing the k8s\0 magic prefix"#)
        XCTAssertNotNil(message(of: Array(good.dropLast(3)))?.range(of: "truncated"))
        XCTAssertEqual(message(of: PB.body("v1", "Gadget", PB())), "no protobuf schema for kind Gadget in v1")
        XCTAssertEqual(message(of: PB.body("v1", "ConfigMap", PB { $0.varint(1, 3) })),
                       "metadata: wrong wire type: expected length-delimited, got varint")
        XCTAssertEqual(message(of: PB.body("apps/v1", "Deployment", PB {
            $0.message(2, PB { $0.message(3, PB { $0.message(2, PB { $0.message(2, PB { $0.varint(3, 1) }) }) }) })
        })), "spec.template.spec.containers.command: wrong wire type: expected length-delimited, got varint")
        XCTAssertEqual(message(of: [0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff]), "truncated varint")
        // Field 5 is not part of the envelope, so these reach the generic skip path.
        XCTAssertEqual(message(of: [0x6b, 0x38, 0x73, 0x00, 0x28] + Array(repeating: 0xff, count: 11)),
                       "varint overflows 64 bits")
        XCTAssertEqual(message(of: [0x6b, 0x38, 0x73, 0x00, 0x2b]), "unsupported wire type start-group")
        var gzip = PB {
            $0.message(1, PB { $0.string(1, "v1"); $0.string(2, "ConfigMap") })
            $0.message(2, PB())
            $0.string(3, "gzip")
        }
        XCTAssertEqual(message(of: [0x6b, 0x38, 0x73, 0x00] + gzip.bytes), #"unsupported contentEncoding "gzip""#)
        gzip = PB { $0.message(2, PB()) }
        XCTAssertEqual(message(of: [0x6b, 0x38, 0x73, 0x00] + gzip.bytes), "the envelope names no kind")
        XCTAssertEqual(message(of: PB.body("v1", "Pod", PB { $0.message(2, PB { $0.message(2, PB {
            $0.message(10, PB { $0.message(1, PB { $0.message(3, PB { $0.message(1, PB { $0.varint(1, 7) }) }) }) })
        }) }) })), "spec.containers.livenessProbe.tcpSocket.port: IntOrString has unknown type 7")
    }

    // MARK: - Encoding and the tables themselves

    func testEncodeRoundTripsThroughDecode() throws {
        let decoded = try KubernetesProtobuf.decode(bytes(base64: Self.recordedRichPodCopy))
        let encoded = try KubernetesProtobuf.encode(decoded)
        XCTAssertEqual(try KubernetesProtobuf.decode(encoded), Self.droppingNulls(decoded))

        var pod = try json(Self.richPod)
        pod[path: ["metadata", "creationTimestamp"]] = "2024-01-02T03:04:05+02:00"
        let again = try KubernetesProtobuf.decode(try KubernetesProtobuf.encode(pod))
        XCTAssertEqual(again[path: ["metadata", "creationTimestamp"]], "2024-01-02T01:04:05Z")
        pod[path: ["metadata", "creationTimestamp"]] = "2024-01-02T01:04:05Z"
        pod[path: ["spec", "hostNetwork"]] = nil  // false: omitempty
        XCTAssertEqual(again, pod)
    }

    func testEncodeRefusesWhatTheTablesCannotCarry() {
        XCTAssertThrowsError(try KubernetesProtobuf.encode(["apiVersion": "v1", "kind": "ConfigMap", "bogus": 1])) { error in
            XCTAssertEqual((error as? ProtobufEncodingError)?.description, #"core.v1.ConfigMap has no protobuf field for member "bogus""#)
        }
        XCTAssertThrowsError(try KubernetesProtobuf.encode(["apiVersion": "v1", "kind": "ConfigMap", "data": ["a": 1]])) { error in
            XCTAssertEqual((error as? ProtobufEncodingError)?.description, "data: expected a string")
        }
        XCTAssertThrowsError(try KubernetesProtobuf.encode(["apiVersion": "v1", "kind": "Gadget"]))
    }

    func testSchemaTablesAreConsistent() {
        let registry = KubernetesProtobuf.SchemaRegistry.kubernetes
        for schema in registry.all {
            var names = Set<String>()
            for field in schema.fields {
                if case .message(let name) = field.kind {
                    XCTAssertNotNil(registry[name], "\(schema.name).\(field.name) refers to unknown message \(name)")
                }
                if field.inline {
                    XCTAssertEqual(field.name, "", "\(schema.name) field \(field.number)")
                } else {
                    XCTAssertTrue(names.insert(field.name).inserted, "\(schema.name) has two fields named \(field.name)")
                }
            }
        }
        for (apiVersion, kind) in [("v1", "ConfigMap"), ("v1", "Secret"), ("v1", "Namespace"), ("v1", "Service"),
                                   ("v1", "Pod"), ("v1", "Endpoints"), ("v1", "Event"), ("v1", "Node"), ("v1", "Binding"),
                                   ("apps/v1", "Deployment"), ("apps/v1", "ReplicaSet"), ("apps/v1", "DeploymentList"),
                                   ("discovery.k8s.io/v1", "EndpointSlice"), ("coordination.k8s.io/v1", "Lease"),
                                   ("autoscaling/v1", "Scale"), ("policy/v1", "Eviction"), ("meta.k8s.io/v1", "DeleteOptions")] {
            XCTAssertTrue(KubernetesProtobuf.supports(apiVersion: apiVersion, kind: kind), "\(apiVersion) \(kind)")
        }
        XCTAssertFalse(KubernetesProtobuf.supports(apiVersion: "batch/v1", kind: "Job"))
    }

    static func droppingNulls(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(members.filter { !$0.value.isNull }.mapValues(droppingNulls))
        case .array(let elements):
            return .array(elements.map(droppingNulls))
        default:
            return value
        }
    }
}
