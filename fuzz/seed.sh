#!/usr/bin/env bash
# Seeds each fuzz target's corpus with real samples: the AWS events shipped in
# aws_lambda_events and lambda_http (found with cargo metadata), and fc-local's templates for
# FC (built from Alibaba's documented formats).
set -euo pipefail
cd "$(dirname "$0")/.."
dir_of() { # crate name -> its source folder
    cargo metadata --format-version 1 | python3 -c "
import json, os, sys
for p in json.load(sys.stdin)['packages']:
    if p['name'] == sys.argv[1]:
        print(os.path.dirname(p['manifest_path'])); break" "$1"
}
events=$(dir_of aws_lambda_events)/src/fixtures
http_data=$(dir_of lambda_http)/tests/data
cargo build -q -p fc-local-cli --bin fc-local
fc_local=target/debug/fc-local
corpus=fuzz/corpus
mkdir -p $corpus/{azure_invocations,tencent_events,openwhisk_params,knative_events,aws_http,aws_s3,aws_dynamodb,aws_schedule,aws_messages,aws_cloud_event,fc_http_event,fc_oss,fc_tablestore,fc_timer,fc_passthrough,fc_messages,fc_cloud_event}
cp "$events"/example-apigw-*request*.json "$events"/example-alb-*request*.json "$http_data"/*.json $corpus/aws_http/
cp "$events"/example-s3-event*.json $corpus/aws_s3/
cp "$events"/example-dynamodb-event*.json $corpus/aws_dynamodb/
cp "$events"/example-eventbridge-*.json $corpus/aws_schedule/
cp "$events"/example-eventbridge-event-obj.json $corpus/aws_cloud_event/
$fc_local event eventbridge --platform aws > $corpus/aws_cloud_event/template.json
cp "$events"/example-sqs-event*.json "$events"/example-sns-event*.json "$events"/example-kinesis-event*.json "$events"/example-kafka-event.json $corpus/aws_messages/
for trigger in apigw http-event; do
    $fc_local event http --platform aliyun --trigger $trigger > $corpus/fc_http_event/$trigger.json
done
$fc_local event oss-put --platform aliyun > $corpus/fc_oss/put.json
$fc_local event oss-delete --platform aliyun > $corpus/fc_oss/delete.json
for kind in insert modify remove; do
    $fc_local event tablestore-$kind --platform aliyun > $corpus/fc_tablestore/$kind.cbor
    $fc_local event tablestore-$kind --platform aliyun --json > $corpus/fc_tablestore/$kind.json
done
$fc_local event timer --platform aliyun --payload go > $corpus/fc_timer/timer.json
$fc_local event eventbridge --platform aliyun > $corpus/fc_cloud_event/template.json
$fc_local event mns-queue --platform aliyun > $corpus/fc_messages/mns-queue.json
$fc_local event mns-topic --platform aliyun > $corpus/fc_messages/mns-topic.json
for kind in kafka rocketmq rabbitmq; do
    $fc_local event $kind --platform aliyun > $corpus/fc_messages/$kind.json
done
# Function Compute 3.0, "Trigger event formats", self-managed Apache RocketMQ trigger.
printf '[{"msgId":"7F0000010BDD2A84AEE70DA49B57****","topic":"testTopic","systemProperties":{"UNIQ_KEY":"7F0000010BDD2A84AEE70DA49B57****","CLUSTER":"DefaultCluster","MIN_OFFSET":"0","TAGS":"TagA","MAX_OFFSET":"128"},"userProperties":{},"body":"Hello RocketMQ"}]' > $corpus/fc_messages/apache-rocketmq.json
printf '/2016-08-15/proxy/shop/survey/submitSurvey?x=1\nx-fc-base-path: /2016-08-15/proxy/shop/survey/\nx-fc-access-key-secret: s\ncontent-type: application/json\nx-forwarded-for: 1.2.3.4' > $corpus/fc_passthrough/default-domain.txt
# Knative / Cloud Run: Google's samples in structured mode, one in binary mode, a scheduler job.
for sample in fc-knative/tests/data/*.json; do
    { printf 'content-type: application/cloudevents+json\n\n'; cat "$sample"; } > $corpus/knative_events/structured-$(basename "$sample")
done
printf 'ce-specversion: 1.0\nce-id: p-1\nce-source: /apis/v1/namespaces/shop/pingsources/nightly\nce-type: dev.knative.sources.ping\ncontent-type: application/json\n\n{"message":"hi"}' > $corpus/knative_events/ping.txt
printf 'x-cloudscheduler: true\nx-cloudscheduler-jobname: nightly\nx-cloudscheduler-scheduletime: 2026-12-03T03:00:00Z\n\ngo' > $corpus/knative_events/scheduler.txt
# OpenWhisk: a raw web action's parameters (Apache OpenWhisk, docs/webactions.md), an alarm's,
# a MinIO bucket notification; and fc-local's templates of them.
printf '{"__ow_method":"post","__ow_path":"/submitSurvey","__ow_query":"name=Jane","__ow_headers":{"content-type":"application/json"},"__ow_body":"eyJuYW1lIjoiSmFuZSJ9"}' > $corpus/openwhisk_params/web.json
printf '{"name":"nightly"}' > $corpus/openwhisk_params/alarm.json
cp fc-openwhisk/tests/data/*.json $corpus/openwhisk_params/
for kind in http alarm object-put object-delete; do
    $fc_local event $kind --platform openwhisk > $corpus/openwhisk_params/template-$kind.json
done
# SCF: Tencent's documented trigger samples (fc-tencent/tests/data) and fc-local's templates.
cp fc-tencent/tests/data/*.json $corpus/tencent_events/
for kind in http cos-put cos-delete timer ckafka cmq; do
    $fc_local event $kind --platform tencent > $corpus/tencent_events/template-$kind.json
done
# Azure: the custom-handler invocations of Microsoft's documentation (functions-custom-handlers.md).
printf '{"Data":{"req":{"Url":"http://localhost:7071/api/order","Method":"POST","Query":{},"Headers":{"Content-Type":["application/json"]},"Params":{},"Body":"{\\"id\\":1005}"}},"Metadata":{}}' > $corpus/azure_invocations/http.json
printf '{"Data":{"myQueueItem":"{ message: \\"Message sent\\" }"},"Metadata":{"DequeueCount":1,"Id":"800ae4b3-bdd2-4c08-badd-f08e5a34b865","sys":{"MethodName":"QueueTrigger","UtcNow":"2019-10-09T17:58:32.2205399Z"}}}' > $corpus/azure_invocations/queue.json
printf '{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}},"Metadata":{"sys":{"MethodName":"nightly","UtcNow":"2023-09-07T11:40:45.004275Z"}}}' > $corpus/azure_invocations/timer.json
printf '{"Data":{"myBlob":"aGVsbG8="},"Metadata":{"Uri":"https://acct.blob.core.windows.net/photos/a.jpg","Properties":{"Length":5}}}' > $corpus/azure_invocations/blob.json
echo "seeded: $(find $corpus -type f | wc -l) files"
