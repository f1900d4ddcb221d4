import Foundation

#if !STANDALONE_CHECK
import KubeAPI
#endif

/// Server-side printing: the meta.k8s.io `Table` that kube-apiserver returns when a client
/// (kubectl get) asks for `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
///
/// Columns, cell values and row conditions follow upstream's
/// pkg/printers/internalversion printers (v1.32) for the kinds Skiff serves; any other kind
/// gets the default table convertor's `Name` / `Created At` columns. As in kube-apiserver,
/// the printers run "wide": every row carries the cells of the priority-1 columns too and
/// kubectl hides those unless `-o wide`.
public enum TablePrinter {
    /// One column of the Table (metav1.TableColumnDefinition).
    public struct Column: Hashable, Sendable {
        public var name: String
        public var type: String
        public var format: String
        public var description: String
        /// 0: shown by default; 1: shown with `-o wide`.
        public var priority: Int

        public init(name: String, type: String, format: String = "", description: String, priority: Int = 0) {
            self.name = name
            self.type = type
            self.format = format
            self.description = description
            self.priority = priority
        }

        public var json: JSONValue {
            ["name": .string(name), "type": .string(type), "format": .string(format),
             "description": .string(description), "priority": .int(Int64(priority))]
        }
    }

    /// One row: its cells (strings and integers) and row conditions (only a finished Pod has one).
    public struct Row: Hashable, Sendable {
        public var cells: [JSONValue]
        public var conditions: [JSONValue]

        public init(cells: [JSONValue], conditions: [JSONValue] = []) {
            self.cells = cells
            self.conditions = conditions
        }
    }

    /// The `includeObject` query parameter: what each row's `object` holds.
    public enum IncludeObject: String, Hashable, Sendable, CaseIterable {
        /// `object` is null.
        case none = "None"
        /// `object` is a PartialObjectMetadata (kind, apiVersion, metadata): kubectl's default.
        case metadata = "Metadata"
        /// `object` is the whole object.
        case object = "Object"

        /// The value of `?includeObject=`; absent or empty means `.metadata`. Nil for an
        /// unknown value (upstream answers 400 `unrecognized includeObject value: "x"`).
        public init?(queryValue: String?) {
            guard let v = queryValue, !v.isEmpty else {
                self = .metadata
                return
            }
            self.init(rawValue: v)
        }
    }

    /// The kinds with a dedicated printer; every other kind gets the default Name/Created At.
    public static let printedKinds: Set<String> = [
        "Pod", "Node", "Namespace", "Service", "Endpoints", "EndpointSlice", "ConfigMap", "Secret", "Event",
        "Deployment", "ReplicaSet", "Lease",
    ]

    /// The column definitions of a kind's Table.
    public static func columnDefinitions(forKind kind: String) -> [Column] {
        switch kind {
        case "Pod": return podColumns
        case "Node": return nodeColumns
        case "Namespace": return namespaceColumns
        case "Service": return serviceColumns
        case "Endpoints": return endpointsColumns
        case "EndpointSlice": return endpointSliceColumns
        case "ConfigMap": return configMapColumns
        case "Secret": return secretColumns
        case "Event": return eventColumns
        case "Deployment": return deploymentColumns
        case "ReplicaSet": return replicaSetColumns
        case "Lease": return leaseColumns
        default: return defaultColumns
        }
    }

    /// The row of one object of the given kind.
    public static func row(forKind kind: String, object: JSONValue, now: Date) -> Row {
        switch kind {
        case "Pod": return podRow(object, now: now)
        case "Node": return Row(cells: nodeCells(object, now: now))
        case "Namespace": return Row(cells: namespaceCells(object, now: now))
        case "Service": return Row(cells: serviceCells(object, now: now))
        case "Endpoints": return Row(cells: endpointsCells(object, now: now))
        case "EndpointSlice": return Row(cells: endpointSliceCells(object, now: now))
        case "ConfigMap": return Row(cells: configMapCells(object, now: now))
        case "Secret": return Row(cells: secretCells(object, now: now))
        case "Event": return Row(cells: eventCells(object, now: now))
        case "Deployment": return Row(cells: deploymentCells(object, now: now))
        case "ReplicaSet": return Row(cells: replicaSetCells(object, now: now))
        case "Lease": return Row(cells: leaseCells(object, now: now))
        default: return Row(cells: defaultCells(object))
        }
    }

    /// The cells of one object (see `row(forKind:object:now:)`).
    public static func cells(forKind kind: String, object: JSONValue, now: Date) -> [JSONValue] {
        row(forKind: kind, object: object, now: now).cells
    }

    /// The whole Table as JSON, ready to serialize:
    /// `{"kind":"Table","apiVersion":…,"metadata":{…},"columnDefinitions":[…],"rows":[…]}`.
    ///
    /// - Parameters:
    ///   - kind: the objects' kind (`Pod`, `Service`, …).
    ///   - objects: the objects (a list's items, or the one object of a GET).
    ///   - now: the time AGE columns are measured to.
    ///   - apiVersion: `meta.k8s.io/v1` or `meta.k8s.io/v1beta1`, as negotiated (see
    ///     `negotiatedTableVersion(accept:)`); also the apiVersion of PartialObjectMetadata rows.
    ///   - resourceVersion, continueToken, remainingItemCount: the list's ListMeta (for a single
    ///     object, its resourceVersion).
    ///   - includeObject: what each row's `object` carries.
    ///   - noHeaders: `?noHeaders=true` (TableOptions.NoHeaders): columnDefinitions is null.
    public static func table(kind: String, objects: [JSONValue], now: Date,
                             apiVersion: String = "meta.k8s.io/v1",
                             resourceVersion: String? = nil, continueToken: String? = nil,
                             remainingItemCount: Int64? = nil,
                             includeObject: IncludeObject = .metadata,
                             noHeaders: Bool = false) -> JSONValue {
        var metadata: [String: JSONValue] = [:]
        if let resourceVersion, !resourceVersion.isEmpty { metadata["resourceVersion"] = .string(resourceVersion) }
        if let continueToken, !continueToken.isEmpty { metadata["continue"] = .string(continueToken) }
        if let remainingItemCount { metadata["remainingItemCount"] = .int(remainingItemCount) }

        var rows: [JSONValue] = []
        rows.reserveCapacity(objects.count)
        for object in objects {
            let r = row(forKind: kind, object: object, now: now)
            var rowJSON: [String: JSONValue] = ["cells": .array(r.cells)]
            if !r.conditions.isEmpty { rowJSON["conditions"] = .array(r.conditions) }
            switch includeObject {
            case .none:
                rowJSON["object"] = .null
            case .metadata:
                rowJSON["object"] = [
                    "kind": "PartialObjectMetadata",
                    "apiVersion": .string(apiVersion),
                    "metadata": object["metadata"] ?? .emptyObject,
                ]
            case .object:
                rowJSON["object"] = object
            }
            rows.append(.object(rowJSON))
        }

        let columns: JSONValue = noHeaders ? .null : .array(columnDefinitions(forKind: kind).map(\.json))
        // The default convertor leaves Rows nil for an empty list (JSON null); the printers make [].
        let rowsJSON: JSONValue = rows.isEmpty && !printedKinds.contains(kind) ? .null : .array(rows)
        return [
            "kind": "Table",
            "apiVersion": .string(apiVersion),
            "metadata": .object(metadata),
            "columnDefinitions": columns,
            "rows": rowsJSON,
        ]
    }

    /// The Table group-version an Accept header asks for (`meta.k8s.io/v1` or
    /// `meta.k8s.io/v1beta1`, the first acceptable in header order), or nil when the client
    /// does not ask for `as=Table`.
    public static func negotiatedTableVersion(accept: String) -> String? {
        for clause in accept.split(separator: ",") {
            let parts = clause.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let mediaType = parts.first, mediaType == "application/json" || mediaType == "*/*" else { continue }
            var params: [String: String] = [:]
            for p in parts.dropFirst() {
                let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
                if kv.count == 2 { params[kv[0].lowercased()] = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            if let q = params["q"], let qv = Double(q), qv <= 0 { continue }
            guard params["as"] == "Table", params["g"] == "meta.k8s.io" else { continue }
            if params["v"] == "v1" || params["v"] == "v1beta1" { return "meta.k8s.io/" + params["v"]! }
        }
        return nil
    }
}
