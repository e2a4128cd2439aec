"""The demo world `make demo` loads: the Pingdingshan union tree and its cadres (world), members
with histories (members), online applications (joining), surveyed enterprises (enterprises) and
the 2015 and 2019 drives (campaigns), from the two plans' own text (data/).

The top of the layering: it calls every feature's services and no feature imports it
(docs/architecture.md). Refused under the production profile (world.refuse_in_production)."""
