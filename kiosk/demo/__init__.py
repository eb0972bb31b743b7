"""The demo: a project for today, a roster, simulated devices, and what the desk does with them."""
