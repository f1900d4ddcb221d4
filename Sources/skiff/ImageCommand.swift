import ArgumentParser
import Foundation
import NodeAgent

/// `skiff image`: the node's local images, which the agent runs Pods from.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Manage this node's local images.",
        subcommands: [Import.self, List.self, RootFS.self])

    struct Location: ParsableArguments {
        @Option(name: .customLong("root-dir"), help: "The agent's state directory; images are under images/.")
        var rootDir: String = "/var/lib/skiff/agent"

        func store() throws -> ImageStore { try ImageStore(root: rootDir + "/images") }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import an OCI image layout (directory or tar) or a `docker save` tarball.")

        @Argument(help: "The archive or layout directory.")
        var file: String

        @Option(help: "Name for an image the archive does not name (e.g. busybox:1.36).")
        var name: String?

        @OptionGroup var location: Location

        func validate() throws {
            if let name, ImageReference(name) == nil { throw ValidationError("--name: \"\(name)\" is not an image name") }
        }

        func run() throws {
            do {
                for image in try location.store().importArchive(file, name: name) {
                    print("\(image.reference) \(image.id)")
                }
            } catch let error as ImageError {
                throw ValidationError("\(error)")
            }
        }
    }

    struct RootFS: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rootfs", abstract: "Prepare an image's root filesystem (its layers applied) and print where it is.")

        @Argument(help: "The image, e.g. busybox:1.36.")
        var image: String

        @OptionGroup var location: Location

        func run() throws {
            guard let reference = ImageReference(image) else { throw ValidationError("\"\(image)\" is not an image name") }
            let store = try location.store()
            guard let found = try store.image(reference) else { throw ValidationError("no image \(reference) on this node") }
            do {
                print(try store.rootfs(of: found))
            } catch let error as ImageError {
                throw ValidationError("\(error)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the local images.")

        @OptionGroup var location: Location

        func run() throws {
            print("IMAGE".padding(toLength: 48, withPad: " ", startingAt: 0) + " IMAGE ID")
            for image in try location.store().list() {
                let short = String(image.id.dropFirst("sha256:".count).prefix(13))
                print(image.reference.padding(toLength: 48, withPad: " ", startingAt: 0) + " " + short)
            }
        }
    }
}
