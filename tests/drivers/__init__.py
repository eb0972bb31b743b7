"""Driver tests: real transports (pty, pcscd+vpcd) with the simulators in drivers/sim."""
