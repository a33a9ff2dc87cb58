/// The built-in spec `tessera capacity` runs with no spec file (and `make demo` ends with):
/// Llama-3-70B chat traffic on one rack of each of the four machines. Paths are relative to the
/// project root. Prices are assumed round figures, as in Experiments/.
extension CapacitySpec {
    public static let builtInName = "built-in"

    public static let builtInYAML = """
        # Built-in default capacity spec (tessera capacity with no spec file). Prices assumed; see Experiments/README.md.
        name: default
        description: Llama-3-70B chat traffic on one rack of GB200 NVL72, HGX B200, a Corsair-style and a Groq-style rack.
        costs:
          powerUSDPerKWh: 0.10        # assumed: US industrial average order of magnitude
          amortisationYears: 4        # assumed: common depreciation period for accelerators
        workloads:
          - name: chat-70b
            model: Workloads/llama-3-70b.json
            scenario: Workloads/scenarios/chat.json
            targetRequestsPerSecond: 100   # assumed load
        layouts:
          - name: gb200-nvl72
            cluster: Clusters/gb200-nvl72.yaml
            levels: { rack: [36, 72], cluster: [1] }
            capexPerChipUSD: 45000    # assumed
            capexPerRackUSD: 500000   # assumed
          - name: hgx-b200
            cluster: Clusters/hgx-b200.yaml
            levels: { rack: [4], cluster: [1] }
            capexPerChipUSD: 40000    # assumed
            capexPerRackUSD: 200000   # assumed
          - name: corsair
            cluster: Clusters/corsair-rack.yaml
            precision: mxint8         # the card's native format (Clusters/corsair-rack.yaml has no bf16)
            capexPerChipUSD: 20000    # assumed, per card
            capexPerRackUSD: 100000   # assumed
          - name: groq
            cluster: Clusters/groq-rack.yaml
            levels: { cluster: [1, 8] }
            precision: int8           # the LPU serves in int8 (Clusters/groq-rack.yaml has no bf16; fp16 weights of 70B overflow 576 × 230 MB)
            capexPerChipUSD: 20000    # assumed
            capexPerRackUSD: 100000   # assumed
        """

    /// The built-in spec with its paths resolved against `root`.
    public static func builtIn(root: String) throws(CapacityError) -> CapacitySpec {
        try parse(yaml: builtInYAML, file: builtInName, folder: root)
    }
}
