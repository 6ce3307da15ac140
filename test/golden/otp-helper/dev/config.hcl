#
# Managed by vault-ssh-ca: changes here are overwritten.
#
# vault-ssh-helper: the backend that verifies one-time passwords, and which of them this host accepts.
# No secret here: the helper calls the unauthenticated <mount>/verify endpoint.
vault_addr = "http://127.0.0.1:8200"
ssh_mount_point = "ssh"
tls_skip_verify = false
allowed_roles = "*"
