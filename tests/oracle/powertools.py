"""Validates events against the pydantic models of aws-lambda-powertools' parser.

Usage: powertools.py MODEL=FILE ...  (MODEL is a class of
aws_lambda_powertools.utilities.parser.models, such as S3Model). Prints one line per event and
exits non-zero if any event does not validate.
"""

import json
import sys

from aws_lambda_powertools.utilities.parser import models

failed = 0
for arg in sys.argv[1:]:
    name, path = arg.split("=", 1)
    model = getattr(models, name)
    with open(path, encoding="utf-8") as file:
        event = json.load(file)
    try:
        model.model_validate(event)
        print(f"ok {name} {path}")
    except Exception as err:  # pydantic's ValidationError, or a model's own check
        failed += 1
        print(f"FAILED {name} {path}: {err}")
sys.exit(1 if failed else 0)
