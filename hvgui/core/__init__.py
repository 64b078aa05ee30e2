"""Qt-free core: hosts, VMs, integration services, changes and the operation contract."""
