import Foundation

/// A temporary directory holding the given kernel table files (name → contents).
func fixtureDirectory(_ files: [String: String]) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kernel-tables-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    for (name, text) in files {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    return dir.path
}

/// m {1, 4} × n {128, 512} × k {128, 512}; latency doubles with m and quadruples with n and k.
let gemmFixture = """
dtype,m,n,k,latency_us
bf16,1,128,128,10
bf16,1,128,512,40
bf16,1,512,128,40
bf16,1,512,512,160
bf16,4,128,128,20
bf16,4,128,512,80
bf16,4,512,128,80
bf16,4,512,512,320

"""

/// 32 query / 8 KV heads of size 128: batch {1, 4} × input_len {16, 64}.
let contextFixture = """
dtype,kv_dtype,batch,input_len,heads,kv_heads,head_size,latency_us
bf16,fp8,1,16,32,8,128,5
bf16,fp8,1,64,32,8,128,10
bf16,fp8,4,16,32,8,128,20
bf16,fp8,4,64,32,8,128,40
"""

/// 8 query / 1 KV head of size 128: batch {1, 16} × context {1024, 4096}.
let generationFixture = """
kv_dtype,batch,context,heads,kv_heads,head_size,latency_us
fp8,1,1024,8,1,128,8
fp8,1,4096,8,1,128,16
fp8,16,1024,8,1,128,32
fp8,16,4096,8,1,128,128
"""

/// Two all-reduce implementations on 8 ranks that cross between 1 and 4 KiB.
let collectiveFixture = """
kind,implementation,dtype,ranks,message_bytes,latency_us
all_reduce,custom,bf16,8,1024,4
all_reduce,custom,bf16,8,4096,8
all_reduce,nccl,fp16,8,1024,10
all_reduce,nccl,fp16,8,4096,6
"""

/// `a` and `b` agree to 1e-12 relative.
func close(_ a: Double?, _ b: Double) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= 1e-12 * abs(b)
}
