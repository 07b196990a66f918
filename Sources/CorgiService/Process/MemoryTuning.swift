#if canImport(Glibc)
import Glibc
#endif

/// glibc raises its mmap threshold after every large block freed, up to 32 MiB, and then serves
/// large blocks from its arenas, which keep the memory once freed. A listener that buffers
/// request bodies of up to 25 MB would keep each arena's largest body resident for good; with a
/// fixed threshold of 1 MiB every such buffer is mapped on its own and unmapped when freed, so
/// the resident size follows the bodies held now (bounded by `UnverifiedBodyBudget`).
enum MemoryTuning {
    static func returnLargeBlocksToTheSystem() {
        #if canImport(Glibc)
        // mallopt is not in the Glibc module map (malloc.h): looked up by name. M_MMAP_THRESHOLD is -3.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(-3, 1 << 20)
        #endif
    }
}
