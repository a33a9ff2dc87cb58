// HostTopology
