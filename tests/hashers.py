from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Still Argon2, with the smallest cost: tests create dozens of users."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1
