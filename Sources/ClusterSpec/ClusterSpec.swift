// ClusterSpec
