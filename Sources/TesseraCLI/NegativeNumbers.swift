/// ArgumentParser reads `--tp -1` as a flag with no value ("Missing value for '--tp <tp>'"), so a
/// negative number never reaches the check that would name it. Joined as `--tp=-1`, it does:
/// "--tp must be at least 1, got -1". Only a long flag followed by a number is joined, and nothing
/// after a `--` terminator.
func joiningNegativeNumbers(_ arguments: [String]) -> [String] {
    var out: [String] = [], i = 0
    while i < arguments.count {
        let a = arguments[i]
        if a == "--" { return out + arguments[i...] }
        if a.hasPrefix("--"), !a.contains("="), i + 1 < arguments.count, isNegativeNumber(arguments[i + 1]) {
            out.append(a + "=" + arguments[i + 1])
            i += 2
        } else {
            out.append(a)
            i += 1
        }
    }
    return out
}

private func isNegativeNumber(_ s: String) -> Bool {
    s.hasPrefix("-") && Double(s) != nil  // also -inf and -nan, which the flag checks refuse by name
}
