import Foundation
import KubeAPI
import NIOHTTP1

/// A request that asked for `as=Table` in its Accept header (kubectl get).
struct TableRequest: Sendable {
    var apiVersion: String

    init?(_ headers: HTTPHeaders) {
        guard let accept = headers.first(name: "accept"),
              let version = TablePrinter.negotiatedTableVersion(accept: accept) else { return nil }
        apiVersion = version
    }

    func table(def: ResourceDefinition, objects: [JSONValue], listMeta: JSONValue, query: QueryParameters, noHeaders: Bool = false) throws -> JSONValue {
        guard let include = TablePrinter.IncludeObject(queryValue: query["includeObject"]) else {
            throw APIError.badRequest("unrecognized includeObject value: \"\(query["includeObject"] ?? "")\"")
        }
        return TablePrinter.table(kind: def.kind, objects: objects, now: Date(), apiVersion: apiVersion,
                                  resourceVersion: listMeta["resourceVersion"]?.stringValue,
                                  continueToken: listMeta["continue"]?.stringValue,
                                  remainingItemCount: listMeta["remainingItemCount"]?.intValue,
                                  includeObject: include, noHeaders: noHeaders || query.bool("noHeaders"))
    }

    func response(def: ResourceDefinition, objects: [JSONValue], listMeta: JSONValue, request: HTTPRequest) -> HTTPResponse {
        do {
            var meta = listMeta
            if meta["resourceVersion"] == nil, objects.count == 1, let rv = objects[0][path: ["metadata", "resourceVersion"]] {
                meta["resourceVersion"] = rv
            }
            let table = try table(def: def, objects: objects, listMeta: meta, query: request.query)
            return .json(.ok, JSONSerializer.serialize(table))
        } catch let error as APIError {
            return error.response
        } catch {
            return APIError.internalError("\(error)").response
        }
    }
}
