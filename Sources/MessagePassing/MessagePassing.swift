// MessagePassing
