"""Haven: identification, referral and assistance for people who may be victims of trafficking."""
