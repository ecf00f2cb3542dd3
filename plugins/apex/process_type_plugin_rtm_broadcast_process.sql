prompt --application/set_environment
set define off
set verify off
set feedback off
whenever sqlerror exit sql.sqlcode rollback
--------------------------------------------------------------------------------
--
-- Oracle APEX export file: plug-in Real-Time Messaging - Broadcast (Process)
--
-- rtm-kit's replacement for the original APEX RTM plug-in of the same internal
-- name: importing it over the original keeps every dynamic action and process
-- that uses it (attributes 01-06 mean what they meant; new ones start at 07).
-- Install rtm_api.sql and rtm_plugin.sql first; see plugins/apex/README.md and
-- plugins/apex/UPGRADE.md.
--
-- NOT RUN HERE: rtm-kit's repository has no Oracle database or APEX instance.
-- The file follows APEX 23.1 component exports (it imports on 23.1-24.2) and
-- its syntax is checked by `npm test` with an Oracle PL/SQL grammar; import it
-- and test it on a real instance before relying on it.
--
-- NOTE: Calls to apex_application_install override the defaults below.
--
--------------------------------------------------------------------------------
begin
wwv_flow_imp.import_begin (
 p_version_yyyy_mm_dd=>'2023.04.28'
,p_release=>'23.1.0'
,p_default_workspace_id=>100000
,p_default_application_id=>100
,p_default_id_offset=>0
,p_default_owner=>'RTM'
);
end;
/
 
prompt APPLICATION 100 - rtm-kit plug-ins
--
-- Application Export:
--   Application:     100
--   Name:            rtm-kit plug-ins
--   Exported By:     RTM
--   Flashback:       0
--   Export Type:     Component Export
--   Manifest
--     PLUGIN: 43881050044296010
--   Manifest End
--   Version:         23.1.0
--

begin
  -- replace components
  wwv_flow_imp.g_mode := 'REPLACE';
end;
/
prompt --application/shared_components/plugins/process_type/rtm_broadcast_process
begin
wwv_flow_imp_shared.create_plugin(
 p_id=>wwv_flow_imp.id(43881050044296010)
,p_plugin_type=>'PROCESS TYPE'
,p_name=>'RTM_BROADCAST_PROCESS'
,p_display_name=>'Real-Time Messaging - Broadcast (Process)'
,p_category=>'EXECUTE'
,p_supported_component_types=>'APEX_APPLICATION_PAGE_PROC:APEX_APPL_AUTOMATION_ACTIONS:APEX_APPL_TASKDEF_ACTIONS:APEX_APPL_WORKFLOW_ACTIVITIES'
,p_api_version=>1
,p_execution_function=>'rtm_plugin.execute_process'
,p_substitute_attributes=>true
,p_subscribe_plugin_settings=>true
,p_help_text=>'Publishes from the database through rtm_api, with the API key from the Web Credential. It runs inside the page''s transaction, before APEX commits: a Listener that refreshes a region on the message may read the old rows. Place it after the processes that change data, and see README.md for publishing after the commit. On Error (default LOG) decides whether a failed push fails the page submit.'
,p_version_identifier=>'2.0.0'
,p_about_url=>'https://github.com/rtm-kit/rtm-kit/blob/main/plugins/apex/README.md'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43919695204024070)
,p_plugin_id=>wwv_flow_imp.id(43881050044296010)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>1
,p_display_sequence=>10
,p_prompt=>'API Key'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_is_translatable=>false
,p_help_text=>'Ignored: the API key now lives in an APEX Web Credential (or rtm_settings). A value left here from the original plug-in is reported in the debug log; clear it. See UPGRADE.md.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43919928036025677)
,p_plugin_id=>wwv_flow_imp.id(43881050044296010)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>2
,p_display_sequence=>20
,p_prompt=>'Base URL'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'https://rtm.example.com'
,p_is_translatable=>false
,p_help_text=>'The rtm-kit server. Leave it empty to use rtm_settings.base_url.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43920254004027979)
,p_plugin_id=>wwv_flow_imp.id(43881050044296010)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>3
,p_display_sequence=>30
,p_prompt=>'Channel'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'orders'
,p_is_translatable=>false
,p_help_text=>'The channel to publish on (Send To = Channel). user:<name> is encoded as the Listener encodes it.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43920540686031146)
,p_plugin_id=>wwv_flow_imp.id(43881050044296010)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>4
,p_display_sequence=>40
,p_prompt=>'Event Name'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'order.created'
,p_is_translatable=>false
,p_help_text=>'The message''s event name (Send To = Channel or User).'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43920826660035269)
,p_plugin_id=>wwv_flow_imp.id(43881050044296010)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>5
,p_display_sequence=>50
,p_prompt=>'Source Item (Payload)'
,p_attribute_type=>'PAGE ITEM'
,p_is_required=>false
,p_is_translatable=>false
,p_help_text=>'An item whose session-state value is sent as {"itemName": "<item>", "value": "<its value>"}, the original plug-ins'' convention.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43921168097036013)
,p_plugin_id=>wwv_flow_imp.id(43881050044296010)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>6
,p_display_sequence=>60
,p_prompt=>'On Error'
,p_attribute_type=>'SELECT LIST'
,p_is_required=>false
,p_default_value=>'LOG'
,p_is_translatable=>false
,p_lov_type=>'STATIC'
,p_help_text=>'When the push fails. LOG (the default): the error goes to the debug log and the page submit succeeds. IGNORE: the submit succeeds silently. RAISE: the submit fails and APEX rolls back the page''s changes. An empty or unknown value counts as LOG.'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000003000001)
,p_plugin_attribute_id=>wwv_flow_imp.id(43921168097036013)
,p_display_sequence=>10
,p_display_value=>'RAISE'
,p_return_value=>'RAISE'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000003000002)
,p_plugin_attribute_id=>wwv_flow_imp.id(43921168097036013)
,p_display_sequence=>20
,p_display_value=>'LOG'
,p_return_value=>'LOG'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000003000003)
,p_plugin_attribute_id=>wwv_flow_imp.id(43921168097036013)
,p_display_sequence=>30
,p_display_value=>'IGNORE'
,p_return_value=>'IGNORE'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000003000900)
,p_plugin_id=>wwv_flow_imp.id(43881050044296010)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>7
,p_display_sequence=>70
,p_prompt=>'Send To'
,p_attribute_type=>'SELECT LIST'
,p_is_required=>false
,p_default_value=>'CHANNEL'
,p_is_translatable=>false
,p_lov_type=>'STATIC'
,p_help_text=>'CHANNEL publishes on the Channel; USER pushes to one user''s private channel; RESOURCE emits a resource event (created, updated or deleted).'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000003000004)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000003000900)
,p_display_sequence=>10
,p_display_value=>'Channel'
,p_return_value=>'CHANNEL'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000003000005)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000003000900)
,p_display_sequence=>20
,p_display_value=>'User'
,p_return_value=>'USER'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000003000006)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000003000900)
,p_display_sequence=>30
,p_display_value=>'Resource Event'
,p_return_value=>'RESOURCE'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000003000007)
,p_plugin_id=>wwv_flow_imp.id(43881050044296010)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>8
,p_display_sequence=>80
,p_prompt=>'User'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_default_value=>'&APP_USER.'
,p_is_translatable=>false
,p_depending_on_attribute_id=>wwv_flow_imp.id(7361000003000900)
,p_depending_on_has_to_exist=>true
,p_depending_on_condition_type=>'EQUALS'
,p_depending_on_expression=>'USER'
,p_help_text=>'The user to notify, on their private channel.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000003000008)
,p_plugin_id=>wwv_flow_imp.id(43881050044296010)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>9
,p_display_sequence=>90
,p_prompt=>'Resource Type'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_default_value=>'ds'
,p_is_translatable=>false
,p_depending_on_attribute_id=>wwv_flow_imp.id(7361000003000900)
,p_depending_on_has_to_exist=>true
,p_depending_on_condition_type=>'EQUALS'
,p_depending_on_expression=>'RESOURCE'
,p_help_text=>'The resource type, for example ds (a dataset).'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000003000009)
,p_plugin_id=>wwv_flow_imp.id(43881050044296010)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>10
,p_display_sequence=>100
,p_prompt=>'Resource Name'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'orders'
,p_is_translatable=>false
,p_depending_on_attribute_id=>wwv_flow_imp.id(7361000003000900)
,p_depending_on_has_to_exist=>true
,p_depending_on_condition_type=>'EQUALS'
,p_depending_on_expression=>'RESOURCE'
,p_help_text=>'The resource name, for example orders.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000003000901)
,p_plugin_id=>wwv_flow_imp.id(43881050044296010)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>11
,p_display_sequence=>110
,p_prompt=>'Action'
,p_attribute_type=>'SELECT LIST'
,p_is_required=>false
,p_default_value=>'updated'
,p_is_translatable=>false
,p_depending_on_attribute_id=>wwv_flow_imp.id(7361000003000900)
,p_depending_on_has_to_exist=>true
,p_depending_on_condition_type=>'EQUALS'
,p_depending_on_expression=>'RESOURCE'
,p_lov_type=>'STATIC'
,p_help_text=>'What happened to the record.'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000003000010)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000003000901)
,p_display_sequence=>10
,p_display_value=>'Created'
,p_return_value=>'created'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000003000011)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000003000901)
,p_display_sequence=>20
,p_display_value=>'Updated'
,p_return_value=>'updated'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000003000012)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000003000901)
,p_display_sequence=>30
,p_display_value=>'Deleted'
,p_return_value=>'deleted'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000003000013)
,p_plugin_id=>wwv_flow_imp.id(43881050044296010)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>12
,p_display_sequence=>120
,p_prompt=>'Items'
,p_attribute_type=>'PAGE ITEMS'
,p_is_required=>false
,p_examples=>'P10_ORDER_ID,P10_STATUS'
,p_is_translatable=>false
,p_help_text=>'Page items whose session-state values are sent as {"ITEM": value}.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000003000014)
,p_plugin_id=>wwv_flow_imp.id(43881050044296010)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>13
,p_display_sequence=>130
,p_prompt=>'Static Payload'
,p_attribute_type=>'TEXTAREA'
,p_is_required=>false
,p_examples=>'{"id": "&P10_ORDER_ID."}'
,p_is_translatable=>false
,p_help_text=>'Optional JSON object the item values are added to. For a resource event, include "id".'
);
end;
/
prompt --application/end_environment
begin
wwv_flow_imp.import_end(p_auto_install_sup_obj => nvl(wwv_flow_application_install.get_auto_install_sup_obj, false));
commit;
end;
/
set define on
set verify on
set feedback on
prompt  ...done
