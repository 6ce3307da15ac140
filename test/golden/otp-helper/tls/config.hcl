#
# Managed by vault-ssh-ca: changes here are overwritten.
#
# vault-ssh-helper: the backend that verifies one-time passwords, and which of them this host accepts.
# No secret here: the helper calls the unauthenticated <mount>/verify endpoint.
vault_addr = "https://vault.example.com:8200"
ssh_mount_point = "ssh-prod"
ca_cert = "/etc/vault-ssh-helper.d/vault-ca.pem"
tls_skip_verify = false
allowed_roles = "otp-prod,otp-breakglass"
allowed_cidr_list = "10.20.0.0/16,192.0.2.10/32"
