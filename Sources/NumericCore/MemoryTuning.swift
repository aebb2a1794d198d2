/// Training and estimation allocate and free the same large arrays (a layer's outputs on every
/// row) thousands of times. glibc serves blocks above 128 KiB by mmap and returns them to the
/// system on free, so each epoch paid hundreds of page faults; a run is a batch job, so freed
/// memory stays with the process instead (the Tishby benchmark: 230,000 faults down to 37,000).
/// The `infoplane` command sets this up at start, and so do the timing tools that stand in for it.
public enum MemoryTuning {
    public static func keepFreedMemory() {
        #if os(Linux)
        // <malloc.h>'s M_TRIM_THRESHOLD and M_MMAP_THRESHOLD.
        _ = glibcMallopt(-1, 256 << 20)
        _ = glibcMallopt(-3, 64 << 20)
        #endif
    }
}

#if os(Linux)
/// glibc's `int mallopt(int, int)`; <malloc.h> is not part of the Glibc module.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
