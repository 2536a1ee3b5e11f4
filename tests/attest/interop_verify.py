"""Check a teebuild OUT with tools that are not teebuild: securesystemslib verifies the DSSE
envelope with the bundle's public key, and in-toto-attestation parses and validates the in-toto
Statement v1 and its SLSA Provenance v1 predicate (strict protobuf JSON parsing: unknown fields
fail). Usage: interop_verify.py OUT. Exit 0 when both accept it."""
import base64
import hashlib
import json
import sys

from google.protobuf import json_format
from in_toto_attestation.predicates.provenance.v1 import provenance_pb2
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey


def main(out: str) -> None:
    with open(f"{out}/teebuild.bundle.json", encoding="utf-8") as f:
        bundle = json.load(f)
    envelope = Envelope.from_dict(bundle["dsseEnvelope"])
    pem = bundle["verificationMaterial"]["publicKey"]
    (keyid,) = envelope.signatures  # exactly one signature, keyed by its keyid
    key = SSlibKey(keyid, "ecdsa", "ecdsa-sha2-nistp256", {"public": pem})
    envelope.verify([key], 1)  # raises on a bad signature
    print(f"securesystemslib: DSSE signature by {keyid} verifies")

    assert envelope.payload_type == "application/vnd.in-toto+json", envelope.payload_type
    pb = json_format.Parse(envelope.payload.decode(), statement_pb2.Statement())
    Statement.copy_from_pb(pb).validate()
    assert pb.predicate_type == "https://slsa.dev/provenance/v1", pb.predicate_type
    prov = json_format.ParseDict(json_format.MessageToDict(pb.predicate), provenance_pb2.Provenance())
    assert prov.build_definition.build_type.startswith("https://teebuild.dev/"), prov.build_definition.build_type
    assert prov.run_details.builder.id.startswith("https://teebuild.dev/builder/"), prov.run_details.builder.id
    assert prov.run_details.metadata.invocation_id, "invocationId"
    for s in pb.subject:
        with open(f"{out}/{s.name}", "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == s.digest["sha256"], s.name
    print(f"in-toto-attestation: Statement v1 + SLSA Provenance v1 valid, {len(pb.subject)} subjects match")

    with open(f"{out}/provenance.json", "rb") as f:
        assert f.read() == base64.b64decode(bundle["dsseEnvelope"]["payload"]), "provenance.json"


if __name__ == "__main__":
    main(sys.argv[1])
