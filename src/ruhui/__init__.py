"""Ruhui (入会): the information system for union organizing drives among migrant workers."""
